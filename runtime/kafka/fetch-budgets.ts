import type { CompiledTopology } from '../../topology/compiled-topology';
import type { PartitionPlan } from './partition-plan';

/**
 * Fetch bytes per partition for the repartition topics that collect from more tasks than they
 * have partitions (a fan-in, such as a `partitions: 1` step every task writes to).
 *
 * The consumer asks each partition for the same number of bytes per fetch, and the next fetch
 * waits for the batches of this one. Each writing task turns its own partition's share into
 * records for the fan-in topic, so `W` writer tasks add about `W / P` shares to each of its `P`
 * partitions per fetch while it is given one: the topic falls behind without bound under
 * sustained load, whatever CPU is left (the flagship's pin index, 6 writer tasks into 1
 * partition, lagged 25,000 records after 34 s at 1,000 events/s with the process 13% idle).
 * Such a partition gets `ceil(W / P)` shares instead. Topics with no fan-in keep the base: the
 * base is what bounds a task's batch (docs/partitions.md, "Fetch budgets").
 */
export function repartitionFetchBudgets(topology: CompiledTopology, plan: PartitionPlan, basePerPartition: number): Map<string, number> {
  const writers = new Map<string, Set<number>>();
  for (const r of topology.repartitionTopics) {
    const subs = writers.get(r.topic) ?? new Set<number>();
    subs.add(r.fromSubTopology);
    writers.set(r.topic, subs);
  }
  const budgets = new Map<string, number>();
  for (const [topic, subs] of writers) {
    const partitions = plan.repartition.get(topic) ?? 1;
    const writerTasks = [...subs].reduce((sum, sub) => sum + (plan.tasks.get(sub) ?? 1), 0);
    const shares = Math.ceil(writerTasks / partitions);
    if (shares > 1) budgets.set(topic, basePerPartition * shares);
  }
  return budgets;
}
