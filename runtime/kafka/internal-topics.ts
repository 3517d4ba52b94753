import type { CompiledStore, CompiledTopology } from '../../topology/compiled-topology';
import { alignmentTopicName } from '../../topology/internal-topic-names';
import type { PartitionPlan } from './partition-plan';
import type { TopicRequirement } from './topic-admin';

/**
 * The one owner of the topics an application writes besides the user's sources (Kafka
 * Streams' InternalTopicManager): the dead-letter topic, sinks, repartition, changelog and
 * alignment topics, with their partition counts and configs. Names come from
 * topology/internal-topic-names.ts. StreamApp creates (or requires) them at start-up.
 */

/** Repartition topics keep records without time retention: a backlog of old event times would otherwise be deleted before the downstream task reads it. */
export const repartitionTopicConfig: Readonly<Record<string, string>> = { 'retention.ms': '-1' };

/** Alignment reports matter for seconds: the topic keeps an hour. */
export const alignmentTopicConfig: Readonly<Record<string, string>> = { 'cleanup.policy': 'delete', 'retention.ms': '3600000' };

/**
 * A changelog is compacted and never expires by time: every store is a key-value
 * store, and operators delete what they no longer need (closed windows, expired
 * ids) with tombstones, which compaction then removes.
 */
export const changelogTopicConfig: Readonly<Record<string, string>> = { 'cleanup.policy': 'compact' };

/** The changelog of `store` with one partition per task of the sub-topology that owns it. */
export function changelogRequirement(store: Pick<CompiledStore, 'name' | 'changelogTopic'>, partitions: number): TopicRequirement {
  // Another count would put state on the wrong task.
  return { topic: store.changelogTopic, partitions, exactPartitions: true, config: changelogTopicConfig, purpose: `changelog of store ${store.name}` };
}

/** Every topic the application writes, given its sources' partition counts and the partition plan. */
export function internalTopics(topology: CompiledTopology, sourcePartitions: ReadonlyMap<string, number>, plan: PartitionPlan): TopicRequirement[] {
  const maxSource = Math.max(1, ...sourcePartitions.values());
  const required: TopicRequirement[] = [
    { topic: topology.processing.deadLetterTopic, partitions: 1, purpose: 'dead-letter topic' },
    { topic: alignmentTopicName(topology.name), partitions: 1, config: alignmentTopicConfig, purpose: 'event-time frontiers of the processes (alignment)' },
  ];
  const globalTopics = new Set(Object.values(topology.stores).flatMap((s) => (s.global ? [s.global.topic] : [])));
  for (const sink of Object.values(topology.sinks)) {
    // A sink that fills a global store is a table (only each key's latest value is read): compact it,
    // unless the file says otherwise. The file's own configs come on top.
    const config = { ...(globalTopics.has(sink.topic) ? { 'cleanup.policy': 'compact' } : {}), ...sink.topicConfig };
    required.push({ topic: sink.topic, partitions: sink.partitions ?? maxSource, purpose: `sink ${sink.name}`, ...(Object.keys(config).length > 0 ? { config } : {}) });
  }
  for (const r of topology.repartitionTopics) {
    required.push({ topic: r.topic, partitions: plan.repartition.get(r.topic) as number, exactPartitions: true, config: repartitionTopicConfig, purpose: `repartition topic of step ${r.forStep}` });
  }
  for (const store of Object.values(topology.stores)) {
    if (!store.changelog) continue;
    const sub = topology.subTopologies.find((s) => s.stores.includes(store.name));
    required.push(changelogRequirement(store, sub ? plan.tasks.get(sub.id) ?? maxSource : maxSource));
  }
  return required;
}
