import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';
import { assignTasksWithStandbys, type CoPartitionGroups, type LocalTaskState } from '../task-assignment';
import { decodeGroupEndpoints, decodeStandbyTasks, decodeSubscriptionEndpoint, decodeSubscriptionTasks, encodeGroupEndpoints, encodeSubscriptionEndpoint, type MemberEndpoint } from '../group-endpoints';

/** What the assigner does beside assigning. */
export interface TaskAssignerHooks {
  /** Awaited by the rejoin hook (kafkajs-patches.ts) before this member rejoins its group. */
  readonly beforeRejoin?: () => Promise<void>;
  /** `host:port` this member serves queries at, advertised to the group (group-endpoints.ts). */
  readonly advertisedEndpoint?: string;
  /** Told every member's endpoint and partitions after each assignment (via the patch's afterSync). */
  readonly onGroupEndpoints?: (members: MemberEndpoint[]) => void;
  /** Static membership: sent as JoinGroup's group_instance_id by the patched Broker#joinGroup (kafkajs-patches.ts). */
  readonly groupInstanceId?: string;
  /** A static member sends LeaveGroup (with its instance id) when it closes, instead of staying in the group. */
  readonly leaveOnClose?: boolean;
  /** What this member holds of each task's state, asked at every join (sent in the subscription). */
  readonly localTasks?: () => LocalTaskState;
  /** Standby copies per stateful task (`processing.standbyReplicas`); the leader's setting counts. */
  readonly standbyReplicas?: number;
  /** Task ids (`<group index>_<partition>`) of the groups with state stores: the ones that get standbys. */
  readonly isStatefulTask?: (taskId: string) => boolean;
  /** Told this member's standby task ids after each assignment (after onGroupEndpoints). */
  readonly onStandbyTasks?: (taskIds: string[]) => void;
}

/**
 * A kafkajs partition assigner that keeps each task's partitions on one
 * member (kafkajs' round-robin splits partition p of a join's two topics
 * between members). Its protocol name differs from kafkajs' built-ins on
 * purpose: a member of an older build cannot join the group and mix rules.
 * Members advertise their query endpoints in their subscription's userData;
 * the leader hands the map of endpoints to partitions to every member in the
 * assignment's userData.
 */
export function taskAssigner(groups: CoPartitionGroups, hooks: TaskAssignerHooks = {}): PartitionAssigner {
  return ({ cluster }) => ({
    name: 'TributaryTaskAssigner',
    ...(hooks.beforeRejoin ? { beforeRejoin: hooks.beforeRejoin } : {}),
    ...(hooks.groupInstanceId ? { groupInstanceId: hooks.groupInstanceId, leaveOnClose: hooks.leaveOnClose ?? false } : {}),
    // Called by the patched joinAndSync with this member's assignment userData (kafkajs-patches.ts).
    afterSync(userData: Buffer | null) {
      hooks.onGroupEndpoints?.(decodeGroupEndpoints(userData));
      hooks.onStandbyTasks?.(decodeStandbyTasks(userData));
    },
    version: 1,
    async assign({ members, topics }) {
      const count = (topic: string): number => cluster.findTopicPartitionMetadata(topic).length;
      const subscriptions = new Map(members.map((m) => [m.memberId, AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.userData]));
      const localState = Object.fromEntries(members.map((m) => [m.memberId, decodeSubscriptionTasks(subscriptions.get(m.memberId))]));
      const stateful = new Set(groups.flatMap((_g, i) => {
        const most = Math.max(0, ...groups[i].filter((t) => topics.includes(t)).map(count));
        return Array.from({ length: most }, (_x, p) => `${i}_${p}`).filter((id) => hooks.isStatefulTask?.(id) ?? false);
      }));
      const { active, standby } = assignTasksWithStandbys(members.map((m) => m.memberId), groups, topics, count,
        { localState, standbyReplicas: hooks.standbyReplicas ?? 0, statefulTasks: stateful });
      const endpoints: MemberEndpoint[] = members.map((m) => ({
        endpoint: decodeSubscriptionEndpoint(subscriptions.get(m.memberId)),
        assignment: active[m.memberId] ?? {},
      }));
      return Object.entries(active).map(([memberId, own]) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment: own, userData: encodeGroupEndpoints(endpoints, standby[memberId]) }),
      }));
    },
    protocol({ topics }) {
      return {
        name: 'TributaryTaskAssigner',
        metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: encodeSubscriptionEndpoint(hooks.advertisedEndpoint, hooks.localTasks?.() ?? {}) }),
        // kafkajs passes this object on to Broker#joinGroup, where the patch reads the id.
        ...(hooks.groupInstanceId ? { groupInstanceId: hooks.groupInstanceId } : {}),
      };
    },
  });
}
