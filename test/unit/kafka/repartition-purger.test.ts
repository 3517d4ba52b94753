import { strict as assert } from 'node:assert';
import type { KafkaAdmin, KafkaClient } from '../../../runtime/kafka/client/kafka-client';
import { RepartitionPurger } from '../../../runtime/kafka/repartition-purger';
import { createLogger } from '../../../core/logger';

describe('RepartitionPurger', () => {
  /** A purger whose admin refuses every deletion with `error`; the client calls `retriable` errors recoverable. */
  function refusing(error: Error, retriable: boolean) {
    const lines: Array<{ level: string; message: string }> = [];
    const admin = { deleteRecordsBefore: async () => { throw error; }, close: async () => undefined } as unknown as KafkaAdmin;
    const client = { admin: async () => admin, isRecoverable: (e: unknown) => retriable && e === error } as unknown as KafkaClient;
    const logger = createLogger('test', 'debug', { format: 'json', out: { write: (l: string) => { lines.push(JSON.parse(l)); } } });
    const purger = new RepartitionPurger(client, new Set(['r']), 60_000, logger);
    const purgeOnce = async () => {
      purger.noteCommitted([{ topic: 'r', partition: 0, offset: '5' }]);
      await purger.purge();
    };
    return { lines, purgeOnce };
  }

  it('logs a retriable failure (no leader yet for a new topic) at debug until it repeats three times in a row', async () => {
    const { lines, purgeOnce } = refusing(new Error('deleting records of r: partition 0 before offset 5: Could not find the leader'), true);
    for (let i = 0; i < 3; i++) await purgeOnce();
    assert.deepEqual(lines.filter((l) => /purge failed/.test(l.message)).map((l) => l.level), ['debug', 'debug', 'warn']);
  });

  it('warns of any other failure at once', async () => {
    const { lines, purgeOnce } = refusing(new Error('not authorized'), false);
    await purgeOnce();
    assert.deepEqual(lines.filter((l) => /purge failed/.test(l.message)).map((l) => l.level), ['warn']);
  });
});
