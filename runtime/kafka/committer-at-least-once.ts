import type { CompressionCodec } from '../../topology/compiled-topology';
import type { GroupConsumer, KafkaProducer, SendResult, TopicMessages, TopicPartitionOffset } from './client/kafka-client';
import type { BatchCommitter } from './stream-task';
import { chunkTopicMessages, mergeSendResults } from './produce-chunks';
import { groupByCompression, type TopicCompression } from './topic-compression';

/**
 * at_least_once: produce through the application's shared idempotent producer and wait for
 * every acknowledgement (acks=all); at commit, produce the changelog, then commit the input
 * offsets. A crash before the commit replays what came after the last one: duplicates, never loss.
 */
export class AtLeastOnceCommitter implements BatchCommitter {
  /** The next unit's outputs may be produced while this unit's offsets are committed. */
  readonly sendsWaitForCommit = false;

  constructor(
    private readonly producer: KafkaProducer,
    private readonly consumer: GroupConsumer,
    private readonly compression: CompressionCodec | TopicCompression,
  ) {}

  async send(messages: TopicMessages[]): Promise<SendResult[]> {
    const chunks = chunkTopicMessages(messages);
    const results: SendResult[][] = [];
    for (const chunk of chunks) {
      const sent: SendResult[] = [];
      for (const group of groupByCompression(chunk, this.compression)) sent.push(...await this.producer.send(group.topicMessages, group.compression));
      results.push(sent);
    }
    return mergeSendResults(chunks, results);
  }

  async commit(changelog: TopicMessages[], offsets: readonly TopicPartitionOffset[]): Promise<SendResult[]> {
    const sent = await this.send(changelog);
    if (offsets.length > 0) await this.consumer.commitOffsets(offsets);
    return sent;
  }

  async abort(): Promise<void> {
    // What was produced stays produced: at_least_once replays it after the last commit.
  }

  async close(): Promise<void> {
    // The producer is shared by all tasks; the application closes it.
  }
}
