import type { CompiledTopology } from '../../topology/compiled-topology';
import { ConfigError } from '../../core/errors';

/** How many partitions each internal topic has and how many tasks each sub-topology runs. */
export interface PartitionPlan {
  /** Repartition topic → partition count. */
  readonly repartition: ReadonlyMap<string, number>;
  /** Sub-topology id → task count (= partitions of each of its input topics and changelogs). */
  readonly tasks: ReadonlyMap<number, number>;
}

/**
 * Kafka Streams' co-partitioning rules, decided once at start-up:
 * - the topics one task reads (a sub-topology's user sources and repartition
 *   topics) must have equal partition counts, else a ConfigError naming each;
 * - a repartition topic takes the count of the user topics its task reads
 *   (so its keys meet theirs), else its step's `partitions:`, else the most
 *   partitions of its upstream task; an explicit count that contradicts the
 *   user topics is an error;
 * - an existing repartition topic with another count is an error (it cannot
 *   be changed without moving keys): the message says how to reset.
 * `existing` holds partition counts of repartition topics already on the broker.
 */
export function planPartitions(topology: CompiledTopology, sourcePartitions: ReadonlyMap<string, number>, existing: ReadonlyMap<string, number>): PartitionPlan {
  const repartition = new Map<string, number>();
  const tasks = new Map<number, number>();
  const pending = new Set(topology.subTopologies.map((s) => s.id));
  const describe = (counts: Array<[string, number]>): string => counts.map(([t, n]) => `${t} (${n} partition${n === 1 ? '' : 's'})`).join(', ');
  while (pending.size > 0) {
    let progressed = false;
    for (const sub of topology.subTopologies) {
      if (!pending.has(sub.id)) continue;
      const inbound = topology.repartitionTopics.filter((r) => r.toSubTopology === sub.id);
      if (inbound.some((r) => r.partitions === undefined && pending.has(r.fromSubTopology) && r.fromSubTopology !== sub.id)) continue;
      const userCounts: Array<[string, number]> = [...new Set(sub.sources.map((s) => topology.sources[s].topic))]
        .map((t) => [t, sourcePartitions.get(t) ?? 0]);
      if (new Set(userCounts.map(([, n]) => n)).size > 1) {
        throw new ConfigError(`topics read by one task must have equal partition counts (Kafka Streams' co-partitioning rule): ${describe(userCounts)}; recreate them with one count`);
      }
      const userCount = userCounts[0]?.[1];
      const upstreamMost = Math.max(1, ...inbound.map((r) => tasks.get(r.fromSubTopology) ?? 1));
      const explicit = inbound.filter((r) => r.partitions !== undefined);
      if (userCount !== undefined) {
        for (const r of explicit) {
          if (r.partitions !== userCount) throw new ConfigError(`step ${r.forStep} sets partitions: ${r.partitions}, but its task also reads ${describe(userCounts)}; its repartition topic ${r.topic} must have ${userCount} to co-partition (remove 'partitions' or match it)`);
        }
      } else if (new Set(explicit.map((r) => r.partitions)).size > 1) {
        throw new ConfigError(`repartition topics read by one task must have equal partition counts: ${describe(explicit.map((r) => [r.topic, r.partitions as number]))}`);
      }
      const count = userCount ?? explicit[0]?.partitions ?? upstreamMost;
      for (const r of inbound) {
        const had = existing.get(r.topic);
        if (had !== undefined && had !== count) {
          throw new ConfigError(`repartition topic ${r.topic} has ${had} partitions but the application needs ${count} (${userCount !== undefined ? `to match ${describe(userCounts)}` : 'from its upstream inputs'}); ` +
            `stop every instance of ${topology.name} and delete the topic (with the app's changelog topics and state to reprocess), or set partitions: ${had} on step ${r.forStep}`);
        }
        repartition.set(r.topic, count);
      }
      tasks.set(sub.id, count);
      pending.delete(sub.id);
      progressed = true;
    }
    if (!progressed) throw new ConfigError(`repartition topics form a cycle between sub-topologies ${[...pending].join(', ')}`);
  }
  return { repartition, tasks };
}

/**
 * Every input partition of the application: each task reads one partition of each of its
 * sub-topology's source topics. A process runs batches of this many partitions at once (its
 * default), so no partition's batch waits for a slot while another's waits on its stores or on
 * scoring: with a fixed 4, the flagship (6-partition inputs, a one-partition index, more
 * partitions than slots) left its one thread idle a quarter of the time while behind, and
 * committed 1,368–1,430 input events/s against 1,768–1,784 with a slot per partition (decision
 * 0040). A process owns at most these; the client takes batches of one partition one at a time.
 */
export function partitionsReadAtOnce(topology: CompiledTopology, tasks: ReadonlyMap<number, number>): number {
  return Math.max(1, topology.subTopologies.reduce((n, sub) => n + (tasks.get(sub.id) ?? 1) * sub.sourceTopics.length, 0));
}
