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
 * by id, partition-major: each to the least loaded member, preferring the
 * one with the fewest tasks of its sub-topology, so each member gets a share
 * of every sub-topology.
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
  // Each task goes to the member with the fewest tasks, then the fewest of its sub-topology (so
  // no member gets every task of one sub-topology), then by a rotation over partitions.
  const load = new Map(members.map((m) => [m, 0]));
  const groupLoad = new Map<string, number>();
  for (const task of tasks) {
    const group = task.topics.join(',');
    const rank = (m: string, i: number): [number, number, number] =>
      [load.get(m)!, groupLoad.get(`${m}\u0000${group}`) ?? 0, (i - task.partition + members.length * most) % members.length];
    let best = 0;
    for (let i = 1; i < members.length; i++) {
      const [a, b] = [rank(members[i], i), rank(members[best], best)];
      if (a[0] < b[0] || (a[0] === b[0] && (a[1] < b[1] || (a[1] === b[1] && a[2] < b[2])))) best = i;
    }
    const member = members[best];
    load.set(member, load.get(member)! + 1);
    groupLoad.set(`${member}\u0000${group}`, (groupLoad.get(`${member}\u0000${group}`) ?? 0) + 1);
    const owner = assignment[member];
    for (const topic of task.topics) {
      if (partitionCount(topic) <= task.partition) continue;
      (owner[topic] ??= []).push(task.partition);
    }
  }
  return assignment;
}
