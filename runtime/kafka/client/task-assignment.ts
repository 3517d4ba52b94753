/**
 * Topics whose partitions with equal numbers belong to one task (the source
 * topics of a sub-topology: a join's two sides, a store's readers). Kafka
 * Streams' rule: a task's partitions are never split between members.
 */
export type CoPartitionGroups = ReadonlyArray<ReadonlyArray<string>>;

/** Member id → topic → partitions. */
export type TaskAssignment = Record<string, Record<string, number[]>>;

/**
 * Spread tasks over members: task (group g, partition p) takes partition p
 * of every topic of group g, and tasks go round-robin to the members sorted
 * by id, partition-major, so each member gets a share of every sub-topology.
 * Topics of no group are spread per partition the same way (each is a task).
 */
export function assignTasks(
  memberIds: readonly string[],
  groups: CoPartitionGroups,
  subscribed: readonly string[],
  partitionCount: (topic: string) => number,
): TaskAssignment {
  const members = [...memberIds].sort();
  const assignment: TaskAssignment = Object.fromEntries(members.map((m) => [m, {}]));
  if (members.length === 0) return assignment;
  const grouped = new Set(groups.flat());
  const all = [...groups.map((g) => g.filter((t) => subscribed.includes(t))), ...subscribed.filter((t) => !grouped.has(t)).map((t) => [t])]
    .filter((g) => g.length > 0);
  const tasks: Array<{ topics: readonly string[]; partition: number }> = [];
  const most = Math.max(0, ...all.flatMap((g) => g.map(partitionCount)));
  for (let p = 0; p < most; p++) {
    for (const topics of all) if (topics.some((t) => partitionCount(t) > p)) tasks.push({ topics, partition: p });
  }
  tasks.forEach((task, i) => {
    const owner = assignment[members[i % members.length]];
    for (const topic of task.topics) {
      if (partitionCount(topic) <= task.partition) continue;
      (owner[topic] ??= []).push(task.partition);
    }
  });
  return assignment;
}
