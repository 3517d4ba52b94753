/**
 * Proves that kafkajs 2.2.4 speaks the pinned broker (Kafka 3.9.1, KRaft):
 * produce, consume in a group, commit offsets, and transactions (including
 * offsets sent in a transaction and aborted records hidden from read_committed).
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { CompressionTypes } from 'kafkajs';
import { consumeMessages, createTopics, randomTopic, requireKafka, testKafka } from '../../helpers/services';

describe('kafkajs against the local Kafka broker', () => {
  const kafka = testKafka();

  before(requireKafka);

  it('produces to a 3-partition topic and consumes every record back in a consumer group', async () => {
    const topic = randomTopic();
    await createTopics(kafka, [{ topic, partitions: 3 }]);
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const messages = Array.from({ length: 300 }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
    await producer.send({ topic, messages, compression: CompressionTypes.GZIP });
    await producer.disconnect();

    const received = await consumeMessages(kafka, topic, messages.length);
    assert.equal(received.length, messages.length);
    assert.deepEqual(new Set(received.map((r) => r.partition)), new Set([0, 1, 2]));
    assert.deepEqual(received.map((r) => r.message.value!.toString()).sort(), messages.map((m) => m.value).sort());
  });

  it('commits consumer offsets that the group coordinator then reports', async () => {
    const topic = randomTopic();
    const groupId = `g-${randomUUID()}`;
    await createTopics(kafka, [{ topic, partitions: 1 }]);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let seen = 0;
    await new Promise<void>((resolve) => {
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ message, partition }) => {
          seen++;
          if (message.value!.toString() === 'b') {
            await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();

    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    await admin.disconnect();
    assert.ok(seen >= 2);
    assert.equal(offsets[0].partitions[0].offset, '2');
  });

  it('commits a transaction with consumer offsets and hides an aborted one from read_committed consumers', async () => {
    const topic = randomTopic();
    const input = randomTopic();
    const groupId = `g-${randomUUID()}`;
    await createTopics(kafka, [{ topic, partitions: 1 }, { topic: input, partitions: 1 }]);
    const producer = kafka.producer({ transactionalId: `tx-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();

    const committed = await producer.transaction();
    await committed.send({ topic, messages: [{ value: 'committed-1' }, { value: 'committed-2' }] });
    await committed.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: input, partitions: [{ partition: 0, offset: '42' }] }] });
    await committed.commit();

    const aborted = await producer.transaction();
    await aborted.send({ topic, messages: [{ value: 'aborted' }] });
    await aborted.abort();

    const last = await producer.transaction();
    await last.send({ topic, messages: [{ value: 'committed-3' }] });
    await last.commit();
    await producer.disconnect();

    const received = await consumeMessages(kafka, topic, 3, { timeoutMs: 15000 });
    assert.deepEqual(received.map((r) => r.message.value!.toString()), ['committed-1', 'committed-2', 'committed-3']);

    const uncommitted = await consumeMessages(kafka, topic, 4, { timeoutMs: 15000, readUncommitted: true });
    assert.ok(uncommitted.some((r) => r.message.value!.toString() === 'aborted'), 'read_uncommitted sees the aborted record');

    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId, topics: [input] });
    await admin.disconnect();
    assert.equal(offsets[0].partitions[0].offset, '42');
  });
});
