import type { CompressionCodec } from '../../topology/compiled-topology';
import type { KafkaClient, SendResult, TopicMessages, TransactionalProducer } from './client/kafka-client';
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
    private readonly producer: TransactionalProducer,
    private readonly groupId: string,
    private readonly compression: CompressionCodec | TopicCompression,
  ) {}

  static async create(client: KafkaClient, transactionalId: string, groupId: string, compression: CompressionCodec | TopicCompression): Promise<ExactlyOnceCommitter> {
    return new ExactlyOnceCommitter(await client.transactionalProducer(transactionalId, 60_000), groupId, compression);
  }

  async commit(messages: TopicMessages[], input: { topic: string; partition: number; nextOffset: string } | undefined): Promise<SendResult[]> {
    const transaction = await this.producer.begin();
    try {
      const chunks = chunkTopicMessages(messages);
      const results: SendResult[][] = [];
      for (const chunk of chunks) {
        const sent: SendResult[] = [];
        for (const group of groupByCompression(chunk, this.compression)) sent.push(...await transaction.send(group.topicMessages, group.compression));
        results.push(sent);
      }
      const sent = mergeSendResults(chunks, results);
      if (input) await transaction.sendOffsets(this.groupId, [{ topic: input.topic, partition: input.partition, offset: input.nextOffset }]);
      await transaction.commit();
      return sent;
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.producer.close();
  }
}
