import { ConfigResourceTypes, type Admin } from 'kafkajs';
import type { GroupDescription, KafkaAdmin, NewTopic, PartitionOffsets, TopicPartitionOffset } from '../kafka-client';

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

  async timeRetentionMs(topics: readonly string[]): Promise<Map<string, number>> {
    const retention = new Map<string, number>();
    if (topics.length === 0) return retention;
    const described = await this.admin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['retention.ms', 'cleanup.policy'] })),
    });
    for (const resource of described.resources) {
      const value = (name: string) => resource.configEntries.find((e) => e.configName === name)?.configValue;
      const ms = Number(value('retention.ms'));
      if ((value('cleanup.policy') ?? 'delete').split(',').includes('delete') && Number.isFinite(ms) && ms >= 0) retention.set(resource.resourceName, ms);
    }
    return retention;
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

  async describeGroup(groupId: string): Promise<GroupDescription> {
    const { groups } = await this.admin.describeGroups([groupId]);
    const group = groups.find((g) => g.groupId === groupId);
    if (!group) return { groupId, state: 'Dead', members: [] };
    return { groupId, state: group.state, members: group.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost })) };
  }

  async deleteTopics(topics: readonly string[]): Promise<void> {
    if (topics.length === 0) return;
    await this.admin.deleteTopics({ topics: [...topics], timeout: 30_000 });
    // The controller answers before every broker has dropped the topics; a topic still listed
    // cannot be created again yet (the next `run` would fail on it).
    const deadline = Date.now() + 30_000;
    for (;;) {
      const listed = new Set(await this.admin.listTopics());
      const left = topics.filter((t) => listed.has(t));
      if (left.length === 0) return;
      if (Date.now() > deadline) throw new Error(`topics still listed 30 s after their deletion: ${left.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async offsetsForTimestamp(topic: string, timestampMs: number): Promise<Array<{ partition: number; offset: string }>> {
    // kafkajs answers a partition with no record at or after the timestamp with its high watermark.
    const offsets = await this.admin.fetchTopicOffsetsByTimestamp(topic, timestampMs);
    return offsets.map((o) => ({ partition: o.partition, offset: o.offset }));
  }

  async setGroupOffsets(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    const byTopic = new Map<string, Array<{ partition: number; offset: string }>>();
    for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), { partition: o.partition, offset: o.offset }]);
    // kafkajs refuses (non-retriable) while the group has running members.
    for (const [topic, partitions] of byTopic) await this.admin.setOffsets({ groupId, topic, partitions });
  }

  async deleteRecordsBefore(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    const byTopic = new Map<string, Array<{ partition: number; offset: string }>>();
    for (const { topic, partition, offset } of offsets) {
      const list = byTopic.get(topic) ?? [];
      list.push({ partition, offset });
      byTopic.set(topic, list);
    }
    // deleteTopicRecords finds the leaders in the admin's metadata cache, which only a metadata request fills.
    await this.admin.fetchTopicMetadata({ topics: [...byTopic.keys()] });
    for (const [topic, partitions] of byTopic) {
      await this.admin.deleteTopicRecords({ topic, partitions }).catch((error: unknown) => {
        throw new Error(`deleting records of ${topic}: ${describePartitionErrors(error)}`, { cause: error });
      });
    }
  }

  close(): Promise<void> {
    return this.admin.disconnect();
  }
}

/**
 * kafkajs' KafkaJSDeleteTopicRecordsError says only "Error while deleting records"; the broker's
 * answer for each partition (offset out of range, not the leader, ...) sits in its `partitions`.
 */
function describePartitionErrors(error: unknown): string {
  type Refused = { partition: number; offset: string; error?: { message?: string } };
  // kafkajs' retrier wraps it in a KafkaJSNonRetriableError whose `cause` it is.
  let partitions: Refused[] | undefined;
  for (let e = error as { partitions?: Refused[]; cause?: unknown } | undefined, depth = 0; e && !partitions && depth < 5; depth++) {
    partitions = e.partitions;
    e = e.cause as typeof e;
  }
  if (!Array.isArray(partitions) || partitions.length === 0) return error instanceof Error ? error.message : String(error);
  return partitions.map((p) => `partition ${p.partition} before offset ${p.offset}: ${p.error?.message ?? 'failed'}`).join('; ');
}
