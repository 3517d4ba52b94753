import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type TopicMessages } from 'kafkajs';
import { chunkTopicMessages } from '../../runtime/kafka/produce-chunks';
import { createMapWork, type MapLoopWiring } from './map-loop-work';
import { watchOutput } from '../../test/helpers/output-watch';

/**
 * The baseline a careful user would write by hand with kafkajs: per fetched batch, map every
 * record, produce (acks=all, idempotent, chunked under the broker's request limit) and commit
 * the batch's offset. Resolves with records/s once the output holds `records` records.
 */
export async function kafkajsMapLoop(w: MapLoopWiring): Promise<number> {
  const kafka = new Kafka({ clientId: 'bench-kafkajs-loop', brokers: [...w.brokers], logLevel: logLevel.NOTHING });
  const work = await createMapWork(w);
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId: `baseline-${randomUUID()}`, maxBytesPerPartition: 1024 * 1024 });
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topic: w.input, fromBeginning: true });
  const watch = watchOutput(kafka, w.output, w.records);
  const started = Date.now();
  await consumer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: 4,
    eachBatch: async ({ batch }) => {
      const messages = batch.messages.map((m) => ({ key: m.key, value: work(m.value!), timestamp: m.timestamp }));
      const topicMessages: TopicMessages[] = [{ topic: w.output, messages }];
      for (const chunk of chunkTopicMessages(topicMessages)) await producer.sendBatch({ topicMessages: chunk, acks: -1 });
      const next = (BigInt(batch.messages[batch.messages.length - 1].offset) + 1n).toString();
      await consumer.commitOffsets([{ topic: w.input, partition: batch.partition, offset: next }]);
    },
  });
  const result = await watch.result;
  // Steady state: from the first output to the last, so start-up (group join) counts for no loop.
  const elapsed = ((result.doneMs ?? Date.now() - started) - (result.firstMs ?? 0)) / 1000;
  await consumer.disconnect();
  await producer.disconnect();
  if (result.doneMs === null) throw new Error(`the kafkajs loop produced ${result.finalSpan} of ${w.records} records`);
  return w.records / elapsed;
}
