import type { Admin } from 'kafkajs';
import type { KafkaAdmin, NewTopic, PartitionOffsets, TopicPartitionOffset } from '../kafka-client';

/** {@link KafkaAdmin} over a connected kafkajs admin client. */
export class KafkajsAdmin implements KafkaAdmin {
  constructor(private readonly admin: Admin) {}

  listTopics(): Promise<string[]> {
    return this.admin.listTopics();
  }

  async createTopics(topics: readonly NewTopic[]): Promise<void> {
    await this.admin.createTopics({
      waitForLeaders: true,
      topics: topics.map((t) => ({
        topic: t.topic,
        numPartitions: t.partitions,
        replicationFactor: t.replicationFactor,
        configEntries: Object.entries(t.config).map(([name, value]) => ({ name, value })),
      })),
    });
  }

  async partitionCounts(topics: readonly string[]): Promise<Map<string, number>> {
    const metadata = await this.admin.fetchTopicMetadata({ topics: [...topics] });
    return new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
  }

  async topicOffsets(topic: string): Promise<PartitionOffsets[]> {
    // kafkajs' fetchTopicOffsets lists offsets at read_committed isolation: `high` is the last stable offset.
    const offsets = await this.admin.fetchTopicOffsets(topic);
    return offsets.map((o) => ({ partition: o.partition, low: o.low, high: o.high }));
  }

  async groupOffsets(groupId: string, topics: readonly string[]): Promise<TopicPartitionOffset[]> {
    const fetched = await this.admin.fetchOffsets({ groupId, topics: [...topics] });
    return fetched.flatMap(({ topic, partitions }) => partitions.map((p) => ({ topic, partition: p.partition, offset: p.offset })));
  }

  close(): Promise<void> {
    return this.admin.disconnect();
  }
}
