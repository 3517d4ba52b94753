import type { CompressionCodec } from '../../topology/compiled-topology';
import type { KafkaClient, KafkaTransaction, SendResult, TopicMessages, TopicPartitionOffset, TransactionalProducer } from './client/kafka-client';
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
 * One transaction spans a commit interval: the outputs of every batch of the interval, then
 * the changelog records and the input offsets, then the commit.
 */
export class ExactlyOnceCommitter implements BatchCommitter {
  /** One producer, one transaction at a time: the next unit's sends go into the next transaction. */
  readonly sendsWaitForCommit = true;
  /** The interval's transaction, begun by its first send (a promise: sends may overlap). */
  private open?: Promise<KafkaTransaction>;

  private constructor(
    private readonly producer: TransactionalProducer,
    private readonly groupId: string,
    private readonly compression: CompressionCodec | TopicCompression,
  ) {}

  static async create(client: KafkaClient, transactionalId: string, groupId: string, compression: CompressionCodec | TopicCompression): Promise<ExactlyOnceCommitter> {
    return new ExactlyOnceCommitter(await client.transactionalProducer(transactionalId, 60_000), groupId, compression);
  }

  async send(messages: TopicMessages[]): Promise<SendResult[]> {
    if (messages.length === 0) return [];
    this.open ??= this.producer.begin();
    const transaction = await this.open;
    const chunks = chunkTopicMessages(messages);
    const results: SendResult[][] = [];
    for (const chunk of chunks) {
      const sent: SendResult[] = [];
      for (const group of groupByCompression(chunk, this.compression)) sent.push(...await transaction.send(group.topicMessages, group.compression));
      results.push(sent);
    }
    return mergeSendResults(chunks, results);
  }

  async commit(changelog: TopicMessages[], offsets: readonly TopicPartitionOffset[]): Promise<SendResult[]> {
    if (changelog.length === 0 && offsets.length === 0 && !this.open) return [];
    try {
      const sent = await this.send(changelog);
      this.open ??= this.producer.begin();
      const transaction = await this.open;
      if (offsets.length > 0) await transaction.sendOffsets(this.groupId, offsets);
      await transaction.commit();
      return sent;
    } catch (error) {
      await this.abort();
      throw error;
    } finally {
      this.open = undefined;
    }
  }

  async abort(): Promise<void> {
    const transaction = this.open;
    this.open = undefined;
    await transaction?.then((t) => t.abort()).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.abort();
    await this.producer.close();
  }
}
