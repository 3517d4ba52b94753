import type { CompressionCodec } from '../../topology/compiled-topology';
import type { GroupConsumer, KafkaProducer, SendResult, TopicMessages } from './client/kafka-client';
import type { BatchCommitter } from './stream-task';
import { chunkTopicMessages, mergeSendResults } from './produce-chunks';
import { groupByCompression, type TopicCompression } from './topic-compression';

/**
 * at_least_once: produce through the application's shared idempotent
 * producer, wait for every acknowledgement (acks=all), then commit the input
 * offset. A crash between the two replays the batch: duplicates, never loss.
 */
export class AtLeastOnceCommitter implements BatchCommitter {
  constructor(
    private readonly producer: KafkaProducer,
    private readonly consumer: GroupConsumer,
    private readonly compression: CompressionCodec | TopicCompression,
  ) {}

  async commit(messages: TopicMessages[], input: { topic: string; partition: number; nextOffset: string } | undefined): Promise<SendResult[]> {
    const chunks = chunkTopicMessages(messages);
    const results: SendResult[][] = [];
    for (const chunk of chunks) {
      const sent: SendResult[] = [];
      for (const group of groupByCompression(chunk, this.compression)) sent.push(...await this.producer.send(group.topicMessages, group.compression));
      results.push(sent);
    }
    const sent = mergeSendResults(chunks, results);
    if (input) await this.consumer.commitOffsets([{ topic: input.topic, partition: input.partition, offset: input.nextOffset }]);
    return sent;
  }

  async close(): Promise<void> {
    // The producer is shared by all tasks; the application closes it.
  }
}
