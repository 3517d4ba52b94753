/**
 * read_committed on a partition several transactional producers write (as every task of an
 * exactly_once app writes its sinks, repartition topics and DLQ): after two transactions
 * interleaved and aborted, a consumer that starts in the middle of them reads none of their
 * records. kafkajs 2.2.4 returned the first ones (runtime/kafka/client/kafkajs/kafkajs-patches.ts).
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { createTopics, randomTopic, requireKafka, testKafka } from '../../helpers/services';

describe('read_committed after interleaved aborted transactions (real broker)', function () {
  this.timeout(60_000);
  const kafka = testKafka();
  before(requireKafka);

  it('returns only committed records when the fetch starts inside two aborted transactions', async () => {
    const topic = randomTopic('aborted');
    await createTopics(kafka, [{ topic, partitions: 1 }]);
    const producers = [0, 1, 2].map(() => kafka.producer({ transactionalId: `rc-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1 }));
    for (const p of producers) await p.connect();
    try {
      const [a, b, c] = await Promise.all(producers.map((p) => p.transaction()));
      const send = (t: typeof a, value: string) => t.send({ topic, messages: [{ partition: 0, value }] });
      await send(a, 'aborted-a-0'); // offset 0
      await send(b, 'aborted-b-1'); // offset 1
      await send(a, 'aborted-a-2'); // offset 2
      await send(b, 'aborted-b-3'); // offset 3
      await send(c, 'committed-c-4'); // offset 4
      await a.abort();
      await b.abort();
      await c.commit();
    } finally {
      for (const p of producers) await p.disconnect();
    }
    // Start at offset 3: its record belongs to the second aborted producer.
    const consumer = kafka.consumer({ groupId: `g-${randomUUID()}`, readUncommitted: false });
    await consumer.connect();
    const seen: string[] = [];
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      let seeked = false;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no committed record within 30 s (seen: ${seen.join(', ')})`)), 30_000);
        consumer.on(consumer.events.GROUP_JOIN, () => {
          if (!seeked) { seeked = true; consumer.seek({ topic, partition: 0, offset: '3' }); }
        });
        void consumer.run({
          eachMessage: async ({ message }) => {
            if (!seeked) return;
            seen.push(message.value!.toString());
            if (seen.includes('committed-c-4')) { clearTimeout(timer); resolve(); }
          },
        });
      });
    } finally {
      await consumer.disconnect();
    }
    assert.deepEqual(seen, ['committed-c-4']);
  });
});
