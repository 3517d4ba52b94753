/**
 * Topics whose partitions with equal numbers belong to one task (the source
 * topics of a sub-topology: a join's two sides, a store's readers). Kafka
 * Streams' rule: a task's partitions are never split between members.
 */
export type CoPartitionGroups = ReadonlyArray<ReadonlyArray<string>>;

/** Member id → topic → partitions. */
export type TaskAssignment = Record<string, Record<string, number[]>>;

/**
 * What a member holds of a task's state when it joins, by task id (`<sub-topology>_<partition>`):
 * {@link RUNNING_HERE} for a task it runs now, else the sum of the changelog offsets its local
 * checkpoint reached (a standby, or state left by a task that moved away). Larger is fresher.
 */
export type LocalTaskState = Readonly<Record<string, number>>;

/** {@link LocalTaskState} of a task the member runs now: its state is current. */
export const RUNNING_HERE = -1;

/** What the assignor is told beside the members and topics. */
export interface AssignmentHints {
  /** Member id → what it holds locally (from its subscription). */
  readonly localState?: Readonly<Record<string, LocalTaskState>>;
  /** Copies of each stateful task to keep warm on other members (`processing.standbyReplicas`). */
  readonly standbyReplicas?: number;
  /** Task ids with state stores: the only ones that get standbys. */
  readonly statefulTasks?: ReadonlySet<string>;
}

/** Active partitions per member, and the standby task ids per member. */
export interface TasksAssigned {
  readonly active: TaskAssignment;
  readonly standby: Record<string, string[]>;
}

/** A task: partition p of every topic of one co-partition group; `id` is `<group index>_<p>`. */
interface PlannedTask {
  readonly id: string;
  readonly topics: readonly string[];
  readonly partition: number;
}

/** {@link assignTasksWithStandbys} without hints or standbys: the active partitions only. */
export function assignTasks(
  memberIds: readonly string[],
  groups: CoPartitionGroups,
  subscribed: readonly string[],
  partitionCount: (topic: string) => number,
): TaskAssignment {
  return assignTasksWithStandbys(memberIds, groups, subscribed, partitionCount).active;
}

/**
 * Spread tasks over members: task (group g, partition p) takes partition p of every topic of
 * group g. Topics of no group are spread per partition the same way (each is a task).
 *
 * 1. Sticky, by state (Kafka Streams' high-availability assignor, without its warm-up tasks):
 *    a task goes to the member that runs it now, else to the one whose local state of it is
 *    freshest (a standby), as long as that member stays within its fair share — at most
 *    ceil(tasks/members) in all and ceil(group's tasks/members) of the task's group. A restart
 *    or a failover then restores a changelog tail, not the whole changelog.
 * 2. The rest round-robin, partition-major, to the least loaded member, preferring the one with
 *    the fewest tasks of the task's sub-topology, so each member gets a share of every one.
 * 3. Standbys: each stateful task gets up to `standbyReplicas` copies on other members (fewer
 *    when there are too few members), freshest local state first, then the fewest standbys.
 */
export function assignTasksWithStandbys(
  memberIds: readonly string[],
  groups: CoPartitionGroups,
  subscribed: readonly string[],
  partitionCount: (topic: string) => number,
  hints: AssignmentHints = {},
): TasksAssigned {
  const members = [...memberIds].sort();
  const active: TaskAssignment = Object.fromEntries(members.map((m) => [m, {}]));
  const standby: Record<string, string[]> = Object.fromEntries(members.map((m) => [m, []]));
  if (members.length === 0) return { active, standby };
  const grouped = new Set(groups.flat());
  const all = [
    ...groups.map((g, i) => ({ key: String(i), topics: g.filter((t) => subscribed.includes(t)) })),
    ...subscribed.filter((t) => !grouped.has(t)).map((t) => ({ key: t, topics: [t] })),
  ].filter((g) => g.topics.length > 0);
  const tasks: PlannedTask[] = [];
  const most = Math.max(0, ...all.flatMap((g) => g.topics.map(partitionCount)));
  for (let p = 0; p < most; p++) {
    for (const g of all) if (g.topics.some((t) => partitionCount(t) > p)) tasks.push({ id: `${g.key}_${p}`, topics: g.topics, partition: p });
  }
  const groupOf = (task: PlannedTask): string => task.topics.join(',');
  const tasksPerGroup = new Map<string, number>();
  for (const task of tasks) tasksPerGroup.set(groupOf(task), (tasksPerGroup.get(groupOf(task)) ?? 0) + 1);
  const fairShare = Math.ceil(tasks.length / members.length);
  const load = new Map(members.map((m) => [m, 0]));
  const groupLoad = new Map<string, number>();
  const ownerOf = new Map<string, string>();
  const give = (task: PlannedTask, member: string): void => {
    ownerOf.set(task.id, member);
    load.set(member, load.get(member)! + 1);
    const key = `${member}\u0000${groupOf(task)}`;
    groupLoad.set(key, (groupLoad.get(key) ?? 0) + 1);
    for (const topic of task.topics) {
      if (partitionCount(topic) <= task.partition) continue;
      (active[member][topic] ??= []).push(task.partition);
    }
  };
  const freshness = (member: string, taskId: string): number | undefined => {
    const held = hints.localState?.[member]?.[taskId];
    if (held === undefined) return undefined;
    return held === RUNNING_HERE ? Number.POSITIVE_INFINITY : held;
  };
  const holders = (taskId: string, among: readonly string[]): string[] =>
    among.filter((m) => freshness(m, taskId) !== undefined).sort((a, b) => freshness(b, taskId)! - freshness(a, taskId)!);

  // 1. Sticky by state, within each member's fair share.
  for (const task of tasks) {
    const groupShare = Math.ceil(tasksPerGroup.get(groupOf(task))! / members.length);
    const home = holders(task.id, members).find((m) => load.get(m)! < fairShare && (groupLoad.get(`${m}\u0000${groupOf(task)}`) ?? 0) < groupShare);
    if (home !== undefined) give(task, home);
  }
  // 2. The rest: fewest tasks, then fewest of its sub-topology, then a rotation over partitions.
  for (const task of tasks) {
    if (ownerOf.has(task.id)) continue;
    const group = groupOf(task);
    const rank = (m: string, i: number): [number, number, number] =>
      [load.get(m)!, groupLoad.get(`${m}\u0000${group}`) ?? 0, (i - task.partition + members.length * most) % members.length];
    let best = 0;
    for (let i = 1; i < members.length; i++) {
      const [a, b] = [rank(members[i], i), rank(members[best], best)];
      if (a[0] < b[0] || (a[0] === b[0] && (a[1] < b[1] || (a[1] === b[1] && a[2] < b[2])))) best = i;
    }
    give(task, members[best]);
  }
  // 3. Standbys on other members: freshest local state first, then the fewest standbys.
  const replicas = Math.max(0, Math.min(hints.standbyReplicas ?? 0, members.length - 1));
  for (const task of tasks) {
    if (replicas === 0 || !(hints.statefulTasks?.has(task.id) ?? false)) continue;
    for (let copy = 0; copy < replicas; copy++) {
      const free = members.filter((m) => m !== ownerOf.get(task.id) && !standby[m].includes(task.id));
      const fresh = holders(task.id, free);
      const pick = fresh[0] ?? free.reduce((a, b) => (standby[b].length < standby[a].length ? b : a));
      standby[pick].push(task.id);
    }
  }
  return { active, standby };
}
