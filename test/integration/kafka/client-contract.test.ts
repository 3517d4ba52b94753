/**
 * The Kafka client seam's contract (runtime/kafka/client/kafka-client.ts), checked on the
 * real broker for every adapter: the runtime's kafkajs adapter in full, and the
 * @platformatic/kafka measurement adapter (test/helpers/platformatic-client.ts) for the
 * part it implements (at_least_once without stores), so its benchmark figures come from a
 * client that does the same work.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import type { ConsumedMessage, ConsumerBatch, KafkaClient, RangeBatch } from '../../../runtime/kafka/client/kafka-client';
import { KafkajsClient } from '../../../runtime/kafka/client/kafkajs/kafkajs-client';
import { PlatformaticClient } from '../../helpers/platformatic-client';
import { KAFKA_BROKERS, requireKafka, testKafka } from '../../helpers/services';

interface Adapter {
  readonly name: string;
  readonly make: () => KafkaClient;
  /** Transactions, range reads, topic and group offsets (exactly_once and stores need them). */
  readonly full: boolean;
}

const adapters: Adapter[] = [
  { name: 'kafkajs', make: () => new KafkajsClient(testKafka('client-contract')), full: true },
  { name: '@platformatic/kafka (measurement adapter)', make: () => new PlatformaticClient(KAFKA_BROKERS, 'client-contract'), full: false },
];

/** Where Java's producer (and kafkajs' DefaultPartitioner, checked against it in partitioner.test.ts) puts a key. */
function javaPartition(key: string, partitions: number): number {
  return Partitioners.DefaultPartitioner()({
    topic: 't',
    partitionMetadata: Array.from({ length: partitions }, (_, p) => ({ partitionId: p, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] })),
    message: { key: Buffer.from(key), value: null },
  });
}

/** Reads `read()` until `done` holds of its value or 15 s pass, and returns the last value read. */
async function settled<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}

/** Runs a group consumer until `count` messages arrived (marking and committing each batch), then stops it. */
async function consumeGroup(client: KafkaClient, groupId: string, topic: string, count: number): Promise<{ messages: Array<ConsumedMessage & { partition: number }>; assignments: Array<Record<string, number[]>> }> {
  const messages: Array<ConsumedMessage & { partition: number }> = [];
  const assignments: Array<Record<string, number[]>> = [];
  const consumer = client.groupConsumer({
    groupId, topics: [{ topic, fromBeginning: true }], maxBytesPerPartition: 1 << 20,
    sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 20_000, heartbeatIntervalMs: 1_000, partitionsConsumedConcurrently: 2,
  });
  let done!: () => void;
  let failed!: (error: unknown) => void;
  const all = new Promise<void>((resolve, reject) => { done = resolve; failed = reject; });
  try {
    await consumer.run({
      onAssignment: (a) => assignments.push(a),
      onFailure: (error) => failed(error),
      onBatch: async (batch: ConsumerBatch) => {
        for (const m of batch.messages) messages.push({ ...m, partition: batch.partition });
        const last = batch.messages[batch.messages.length - 1].offset;
        await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
        batch.markProcessed(last);
        if (messages.length >= count) done();
      },
    });
    await Promise.race([all, new Promise((_, reject) => setTimeout(() => reject(new Error(`only ${messages.length} of ${count} messages arrived`)), 30_000))]);
  } finally {
    await consumer.stop();
    await consumer.close();
  }
  return { messages, assignments };
}

for (const adapter of adapters) {
  describe(`Kafka client seam contract: ${adapter.name} (real broker)`, function () {
    this.timeout(120_000);
    let client: KafkaClient;
    const created: string[] = [];

    before(async () => {
      await requireKafka();
      client = adapter.make();
    });
    after(async () => {
      const admin = testKafka().admin();
      await admin.connect();
      await admin.deleteTopics({ topics: created }).catch(() => undefined);
      await admin.disconnect();
    });

    async function newTopic(partitions: number, config: Record<string, string> = {}): Promise<string> {
      const topic = `contract-${randomUUID()}`;
      const admin = await client.admin();
      try {
        await admin.createTopics([{ topic, partitions, replicationFactor: 1, config }]);
      } finally {
        await admin.close();
      }
      created.push(topic);
      return topic;
    }

    it('admin: creates topics, lists them and counts their partitions', async () => {
      const a = await newTopic(3);
      const b = await newTopic(1, { 'cleanup.policy': 'compact' });
      const admin = await client.admin();
      try {
        const topics = await admin.listTopics();
        assert.ok(topics.includes(a) && topics.includes(b), 'both topics listed');
        assert.deepEqual([...(await admin.partitionCounts([a, b]))].sort(), [[a, 3], [b, 1]].sort());
      } finally {
        await admin.close();
      }
    });

    it('producer: places keys as Java does, honours explicit partitions, keeps headers and timestamps', async () => {
      const topic = await newTopic(3);
      const keys = Array.from({ length: 60 }, (_, i) => `user-${i * 7919}`);
      const producer = await client.producer();
      let results;
      try {
        results = await producer.send([{
          topic,
          messages: [
            ...keys.map((key, i) => ({ key, value: `v${i}`, timestamp: String(1_700_000_000_000 + i), headers: { origin: 'contract' } })),
            { key: 'pinned', value: 'explicit', partition: 2 },
          ],
        }], 'gzip');
      } finally {
        await producer.close();
      }
      assert.deepEqual(results.map((r) => r.partition).sort(), [0, 1, 2], 'one result per partition written');
      for (const r of results) assert.equal(r.baseOffset, '0', `first write to ${topic}[${r.partition}] starts at 0`);

      const { messages } = await consumeGroup(client, `contract-${randomUUID()}`, topic, keys.length + 1);
      assert.equal(messages.length, keys.length + 1);
      for (const m of messages) {
        const key = m.key!.toString();
        if (key === 'pinned') {
          assert.equal(m.partition, 2);
          continue;
        }
        assert.equal(m.partition, javaPartition(key, 3), `key ${key}`);
        const i = keys.indexOf(key);
        assert.equal(m.value!.toString(), `v${i}`);
        assert.equal(m.timestamp, String(1_700_000_000_000 + i));
        assert.equal(String(m.headers?.origin), 'contract');
      }
    });

    it('group consumer: reports the assignment, and a new member resumes from the committed offsets', async () => {
      const topic = await newTopic(2);
      const groupId = `contract-${randomUUID()}`;
      const producer = await client.producer();
      try {
        await producer.send([{ topic, messages: Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `first-${i}` })) }], 'none');
        const first = await consumeGroup(client, groupId, topic, 20);
        assert.deepEqual(first.assignments.at(-1)?.[topic]?.slice().sort(), [0, 1]);
        assert.equal(new Set(first.messages.map((m) => m.value!.toString())).size, 20);
        await producer.send([{ topic, messages: Array.from({ length: 3 }, (_, i) => ({ key: `k${i}`, value: `second-${i}` })) }], 'none');
      } finally {
        await producer.close();
      }
      const second = await consumeGroup(client, groupId, topic, 3);
      assert.deepEqual(second.messages.map((m) => m.value!.toString()).sort(), ['second-0', 'second-1', 'second-2'], 'only what came after the commit');
    });

    it('tells a plain error from a recoverable Kafka one', () => {
      assert.equal(client.isRecoverable(new Error('boom')), false);
    });

    if (!adapter.full) return;

    it('admin: reads each topic\'s time retention; a topic that keeps its records by time has none', async () => {
      const weekly = await newTopic(1, { 'retention.ms': '604800000' });
      const forever = await newTopic(1, { 'retention.ms': '-1' });
      const compacted = await newTopic(1, { 'cleanup.policy': 'compact', 'retention.ms': '3600000' });
      const both = await newTopic(1, { 'cleanup.policy': 'compact,delete', 'retention.ms': '3600000' });
      const defaulted = await newTopic(1);
      const admin = await client.admin();
      try {
        const retention = await admin.timeRetentionMs([weekly, forever, compacted, both, defaulted]);
        assert.equal(retention.get(weekly), 604_800_000);
        assert.equal(retention.has(forever), false, 'retention.ms -1 keeps records');
        assert.equal(retention.has(compacted), false, 'compact alone deletes nothing by time');
        assert.equal(retention.get(both), 3_600_000);
        // The broker's default (log.retention.hours, 7 days unless the broker sets otherwise) counts too.
        assert.equal(typeof retention.get(defaulted), 'number');
        assert.ok(retention.get(defaulted)! > 0);
      } finally {
        await admin.close();
      }
    });

    it('admin: deletes records before an offset; a refusal names the partition and the broker\'s reason', async () => {
      const topic = await newTopic(2);
      const producer = await client.producer();
      try {
        await producer.send([{ topic, messages: ['a', 'b', 'c'].map((value) => ({ key: null, value, partition: 0 })) }], 'none');
      } finally {
        await producer.close();
      }
      const admin = await client.admin();
      try {
        await admin.deleteRecordsBefore([{ topic, partition: 0, offset: '2' }]);
        assert.deepEqual((await admin.topicOffsets(topic)).find((o) => o.partition === 0), { partition: 0, low: '2', high: '3' });
        await assert.rejects(admin.deleteRecordsBefore([{ topic, partition: 1, offset: '5' }]),
          (e: Error) => e.message.startsWith(`deleting records of ${topic}: partition 1 before offset 5: `) && /range/i.test(e.message));
      } finally {
        await admin.close();
      }
    });

    it('transactions: committed records and offsets count, aborted ones never show; range reads pass the markers', async () => {
      const topic = await newTopic(1);
      const groupId = `contract-${randomUUID()}`;
      const tx = await client.transactionalProducer(`contract-${randomUUID()}`, 30_000);
      const write = async (values: string[], commit: boolean, offset?: string) => {
        const t = await tx.begin();
        await t.send([{ topic, messages: values.map((value) => ({ key: 'k', value, partition: 0 })) }], 'none');
        if (offset) await t.sendOffsets(groupId, [{ topic, partition: 0, offset }]);
        if (commit) await t.commit(); else await t.abort();
      };
      try {
        await write(['a', 'b', 'c'], true, '5');
        await write(['x', 'y'], false);
        await write(['d'], true);
      } finally {
        await tx.close();
      }
      const admin = await client.admin();
      let end: string;
      try {
        // 3 + marker, 2 aborted + marker, 1 + marker: the last stable offset is 9. A commit returns
        // once the coordinator has logged it and writes the markers after that (to the partition and
        // to the group's offsets), so both are read until they show, within a bound.
        end = await settled(async () => (await admin.topicOffsets(topic))[0].high, (high) => high === '9');
        assert.equal(end, '9');
        const offsets = await settled(() => admin.groupOffsets(groupId, [topic]), (o) => o[0]?.offset === '5');
        assert.deepEqual(offsets, [{ topic, partition: 0, offset: '5' }]);
      } finally {
        await admin.close();
      }
      const batches: RangeBatch[] = [];
      await client.readRanges([{ topic, partition: 0, from: '1', to: end }], async (b) => { batches.push(b); }, { maxBytesPerPartition: 1 << 20 });
      assert.deepEqual(batches.flatMap((b) => b.messages.map((m) => m.value!.toString())), ['b', 'c', 'd'], 'from offset 1, committed only');
      assert.equal(batches.at(-1)!.nextOffset, '9', 'the read ends past the last commit marker');
    });
  });
}
