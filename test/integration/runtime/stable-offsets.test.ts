/**
 * Under exactly_once a new task starts from the offset its previous owner's
 * last transaction committed, even when that transaction's offsets became
 * visible only after the group assigned the partition (kafkajs has no
 * KIP-447 require_stable; see runtime/kafka/stable-offsets.ts).
 *
 * The race is made deterministic: while the task opens its stores (after the
 * group assigned the partition and kafkajs fetched its offsets), another
 * transactional producer commits the group's offset past the first records,
 * as the previous owner's late-materialising transaction would. Those records
 * must not be processed again.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Kafka } from 'kafkajs';
import { loadTopology } from '../../../topology';
import { startApplication, type RunningApplication } from '../../../runtime/app/start-application';
import { createLogger } from '../../../core/logger';
import { consumeMessages, createTopics, randomTopic, requireKafka, testKafka, IDEMPOTENT } from '../../helpers/services';

const topologyFile = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'runtime', 'key-counts.yaml');

/** Commits `offset` for (topic, 0) in `groupId` the way a task's transaction does, and waits until it is visible. */
async function commitInTransaction(kafka: Kafka, groupId: string, topic: string, offset: string): Promise<void> {
  const producer = kafka.producer({ transactionalId: `previous-owner-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const admin = kafka.admin();
  await admin.connect();
  try {
    const transaction = await producer.transaction();
    await transaction.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: [{ partition: 0, offset }] }] });
    await transaction.commit();
    for (let i = 0; i < 100; i++) {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      if (committed?.partitions.find((p) => p.partition === 0)?.offset === offset) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the transactional offset ${offset} never became visible`);
  } finally {
    await admin.disconnect();
    await producer.disconnect();
  }
}

describe('exactly_once task start (offsets committed by a late transaction)', function () {
  this.timeout(120_000);
  const kafka = testKafka();
  before(requireKafka);

  it('starts from the offset the last transaction committed, not the one fetched at assignment', async () => {
    const input = randomTopic('events');
    const output = randomTopic('totals');
    const appId = `stable-${randomUUID()}`;
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-stable-'));
    await createTopics(kafka, [{ topic: input, partitions: 1 }, { topic: output, partitions: 1 }]);
    const producer = kafka.producer(IDEMPOTENT);
    await producer.connect();
    // Records 0..5 were handled by the "previous owner"; 6..9 are new. All share one key.
    await producer.send({ topic: input, messages: Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: JSON.stringify({ n: i }) })) });
    await producer.disconnect();

    const { topology, problems } = loadTopology(topologyFile, { env: { APP: appId, INPUT: input, OUTPUT: output, STATE_DIR: stateDir } });
    assert.deepEqual(problems, []);
    const logger = createLogger('stable-offsets-test', 'warn');
    let committedLate = false;
    let app: RunningApplication | undefined;
    try {
      app = await startApplication({
        topology: topology!,
        logger,
        seams: {
          beforeOpenStores: async () => {
            // The group has assigned the partition and kafkajs has fetched "no offset" by now.
            if (!committedLate) {
              committedLate = true;
              await commitInTransaction(kafka, appId, input, '6');
            }
          },
        },
      });
      const received = await consumeMessages(kafka, output, 4, { timeoutMs: 60_000 });
      // Give a wrong start (offset 0) time to show itself with more outputs.
      await new Promise((r) => setTimeout(r, 3000));
      const all = await consumeMessages(kafka, output, 100, { timeoutMs: 5000 });
      assert.ok(committedLate, 'the task opened its stores');
      assert.equal(received.length, 4);
      assert.deepEqual(all.map((m) => JSON.parse(m.message.value!.toString())), [1, 2, 3, 4],
        'only records 6..9 are counted, once each');
    } finally {
      await app?.stop();
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
