import { Partitioners, type CompressionTypes, type Kafka, type Producer, type RecordMetadata, type TopicMessages } from 'kafkajs';
import type { BatchCommitter } from './stream-task';
import { chunkTopicMessages, mergeSendResults } from './produce-chunks';
import { groupByCompression, type TopicCompression } from './topic-compression';

/**
 * exactly_once: one transactional producer per task (`transactional.id` =
 * `<app>-<task>`), as Kafka Streams' first exactly-once mode did. kafkajs has
 * no KIP-447 group-metadata fencing (its TxnOffsetCommit stops at v1), so a
 * producer shared by tasks would not be fenced across rebalances; a per-task
 * id is: when a task moves, its new owner's initTransactions fences the old
 * owner's producer and aborts its open transaction.
 *
 * Outputs, changelog records and the input offset go in one transaction.
 */
export class ExactlyOnceCommitter implements BatchCommitter {
  private constructor(
    private readonly producer: Producer,
    private readonly groupId: string,
    private readonly compression: CompressionTypes | TopicCompression,
  ) {}

  static async create(kafka: Kafka, transactionalId: string, groupId: string, compression: CompressionTypes | TopicCompression): Promise<ExactlyOnceCommitter> {
    const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, transactionTimeout: 60_000, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    return new ExactlyOnceCommitter(producer, groupId, compression);
  }

  async commit(messages: TopicMessages[], input: { topic: string; partition: number; nextOffset: string } | undefined): Promise<RecordMetadata[]> {
    const transaction = await this.producer.transaction();
    try {
      const chunks = chunkTopicMessages(messages);
      const results: RecordMetadata[][] = [];
      for (const chunk of chunks) {
        const sent: RecordMetadata[] = [];
        for (const group of groupByCompression(chunk, this.compression)) {
          sent.push(...await transaction.sendBatch({ topicMessages: group.topicMessages, acks: -1, compression: group.compression }));
        }
        results.push(sent);
      }
      const sent = mergeSendResults(chunks, results);
      if (input) await transaction.sendOffsets({
        consumerGroupId: this.groupId,
        topics: [{ topic: input.topic, partitions: [{ partition: input.partition, offset: input.nextOffset }] }],
      });
      await transaction.commit();
      return sent;
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}
