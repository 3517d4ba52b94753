import { strict as assert } from 'node:assert';
import type { KafkaMessage } from 'kafkajs';
import { jsonSerde } from '../../../schemas/serde-json';
import { stringSerde } from '../../../schemas/serde-string';
import type { Serde } from '../../../schemas/serde';
import { eventTimeReader } from '../../../runtime/processing/event-time';
import type { CompiledSource } from '../../../topology/compiled-topology';
import { decodeBatch, SourceDecodeError, type SkippedMessage, type TopicDecoding } from '../../../runtime/kafka/record-decoder';
import { decodeSkipReporter } from '../../../runtime/kafka/decode-skip-reporter';
import type { Logger } from '../../../core/logger';
import type { TributaryMetrics } from '../../../runtime/telemetry';
import { autoRegisterSetting } from '../../../runtime/kafka/topic-codecs';
import type { CompiledTopology } from '../../../topology';

function message(offset: number, value: string): KafkaMessage {
  return { key: Buffer.from(`k${offset}`), value: Buffer.from(value), timestamp: '1000', attributes: 0, offset: String(offset), headers: {} } as KafkaMessage;
}

// Offsets 11 and 13 are poison; the secret-looking text must never reach a log.
const batch = [message(10, '{"n":1}'), message(11, 'SECRET-CONTENT not json'), message(12, '{"n":3}'), message(13, '{"n":'), message(14, '{"n":5}')];

function decoding(onError: TopicDecoding['onError'], onSkip?: (s: SkippedMessage) => void): TopicDecoding {
  return { topic: 'in', key: stringSerde as Serde<unknown>, value: jsonSerde, onError, ...(onSkip ? { onSkip } : {}) };
}

function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const write = (level: string) => (m: string, f?: Record<string, unknown>) => { lines.push(`${level} ${m} ${JSON.stringify(f ?? {})}`); };
  return { lines, logger: { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') } };
}

describe('source onError policy in the decode path', () => {
  it('dead-letter (the default): poison set aside with bytes and offsets, good records go on', async () => {
    for (const policy of [undefined, 'dead-letter'] as const) {
      const { records, poison } = await decodeBatch(decoding(policy), 2, batch);
      assert.deepEqual(records.map((r) => (r.value as { n: number }).n), [1, 3, 5]);
      assert.deepEqual(poison.map((p) => [p.offset, p.stage, p.value?.toString()]), [['11', 'deserialize', 'SECRET-CONTENT not json'], ['13', 'deserialize', '{"n":']]);
    }
  });

  it('skip: nothing for the DLQ, every good record decoded, each skipped message told with its position', async () => {
    const skipped: SkippedMessage[] = [];
    const { records, poison } = await decodeBatch(decoding('skip', (s) => skipped.push(s)), 2, batch);
    assert.deepEqual(records.map((r) => (r.value as { n: number }).n), [1, 3, 5]);
    assert.deepEqual(poison, []);
    assert.deepEqual(skipped.map((s) => [s.topic, s.partition, s.offset]), [['in', 2, '11'], ['in', 2, '13']]);
  });

  it('fail: the batch rejects with a non-retriable error naming topic/partition/offset and the problem', async () => {
    await assert.rejects(decodeBatch(decoding('fail'), 2, batch), (error: unknown) => {
      assert.ok(error instanceof SourceDecodeError);
      assert.equal(error.retriable, false);
      assert.match(error.message, /^record at in\/2@11 does not deserialize \(source onError: fail\): invalid JSON: unexpected token$/);
      assert.deepEqual(error.context, { topic: 'in', partition: 2, offset: '11' });
      assert.ok(!error.message.includes('SECRET'));
      return true;
    });
  });

  it('keeps record contents out of event-time errors', async () => {
    const source = { name: 'in', topic: 'in', timestamp: { kind: 'field', field: 'at' } } as unknown as CompiledSource;
    const d: TopicDecoding = { ...decoding('fail'), eventTime: eventTimeReader(source) };
    await assert.rejects(decodeBatch(d, 0, [message(5, '{"at":"SECRET-TIME"}')]),
      /source in: event-time field 'at' gave a string, not a timestamp \(epoch ms, Date or ISO-8601 string\)$/);
  });
});

describe('decodeSkipReporter', () => {
  it('counts every skip and logs at most one line per topic per interval, without contents', async () => {
    const { logger, lines } = capturingLogger();
    const counted: Array<[string, string, number]> = [];
    const metrics = { skippedRecords: (topic: string, stage: string, n: number) => counted.push([topic, stage, n]) } as unknown as TributaryMetrics;
    let now = 0;
    const report = decodeSkipReporter(logger, metrics, { intervalMs: 1000, now: () => now });
    const { poison } = await decodeBatch(decoding('dead-letter'), 1, batch);
    const skip = (offset: string, topic = 'in') => report({ topic, partition: 1, offset, error: poison[0].error });
    skip('11');                 // logged at once
    now = 500; skip('13'); skip('15');  // within the interval: counted, not logged
    skip('3', 'other');         // another topic has its own budget
    now = 1200; skip('17');     // the next line sums what the quiet period skipped
    assert.equal(counted.length, 5);
    assert.ok(counted.every(([, stage, n]) => stage === 'deserialize' && n === 1));
    assert.equal(lines.length, 3, lines.join('\n'));
    assert.match(lines[0], /^warn records that do not deserialize were skipped \(source onError: skip\) .*"topic":"in","partition":1,"offset":"11","skipped":1,"total":1,"error":"DeserializationError: invalid JSON: unexpected token"/);
    assert.match(lines[1], /"topic":"other".*"skipped":1,"total":1/);
    assert.match(lines[2], /"offset":"17","skipped":3,"total":4/);
    assert.ok(lines.every((l) => !l.includes('SECRET')));
  });
});

describe('autoRegisterSetting precedence', () => {
  const topology = (autoRegister?: boolean) => ({ schemaRegistry: { url: 'http://x', ...(autoRegister === undefined ? {} : { autoRegister }) } }) as unknown as CompiledTopology;

  it('code option, then TRIBUTARY_AUTO_REGISTER, then the file, then false', () => {
    assert.equal(autoRegisterSetting(topology(), {}, {}), false);
    assert.equal(autoRegisterSetting(topology(true), {}, {}), true);
    assert.equal(autoRegisterSetting(topology(true), {}, { TRIBUTARY_AUTO_REGISTER: '0' }), false);
    assert.equal(autoRegisterSetting(topology(false), {}, { TRIBUTARY_AUTO_REGISTER: 'yes' }), true);
    assert.equal(autoRegisterSetting(topology(true), {}, { TRIBUTARY_AUTO_REGISTER: '' }), true, 'an empty variable leaves the file in charge');
    assert.equal(autoRegisterSetting(topology(true), { autoRegister: false }, { TRIBUTARY_AUTO_REGISTER: '1' }), false);
  });

  it('refuses a variable that is no boolean', () => {
    assert.throws(() => autoRegisterSetting(topology(), {}, { TRIBUTARY_AUTO_REGISTER: 'maybe' }), /TRIBUTARY_AUTO_REGISTER must be 1\/true\/yes\/on or 0\/false\/no\/off, not 'maybe'/);
  });
});
