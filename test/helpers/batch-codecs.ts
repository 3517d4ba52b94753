import { Consumer } from '@platformatic/kafka';
import { KAFKA_BROKERS } from './services';

/**
 * The compression codec (attributes & 7) of every data batch of a topic, as the broker
 * serves them: raw Fetch responses through @platformatic/kafka's low-level `fetch`
 * (kafkajs does not show batch attributes). Control batches (transaction markers,
 * attributes & 0x20) are left out; they are never compressed.
 */
export async function fetchBatchCodecs(topic: string): Promise<number[]> {
  const consumer = new Consumer({ clientId: 'batch-codecs', bootstrapBrokers: [...KAFKA_BROKERS], groupId: `batch-codecs-${Date.now()}` });
  try {
    const metadata = await consumer.metadata({ topics: [topic], forceUpdate: true });
    const described = metadata.topics.get(topic);
    if (!described) throw new Error(`topic ${topic} not found`);
    const codecs: number[] = [];
    for (let partition = 0; partition < described.partitionsCount; partition++) {
      for (let offset = 0n; ;) {
        const response = await consumer.fetch({
          node: described.partitions[partition].leader, maxWaitTime: 100, minBytes: 1, maxBytes: 8 << 20, isolationLevel: 0,
          topics: [{ topicId: described.id, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: 8 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }] }],
        });
        const answer = response.responses[0]?.partitions[0];
        if (!answer || answer.errorCode !== 0) throw new Error(`fetch of ${topic}[${partition}] at ${offset} failed (error code ${answer?.errorCode})`);
        const batches = answer.records ?? [];
        for (const batch of batches) {
          if ((batch.attributes & 0x20) === 0) codecs.push(batch.attributes & 0x7);
          offset = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n;
        }
        if (batches.length === 0 || offset >= answer.highWatermark) break;
      }
    }
    return codecs;
  } finally {
    await consumer.close(true);
  }
}
