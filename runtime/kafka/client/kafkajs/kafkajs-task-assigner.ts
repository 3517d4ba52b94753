import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';
import { assignTasks, type CoPartitionGroups } from '../task-assignment';
import { decodeGroupEndpoints, decodeSubscriptionEndpoint, encodeGroupEndpoints, encodeSubscriptionEndpoint, type MemberEndpoint } from '../group-endpoints';

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
    ...(hooks.groupInstanceId ? { groupInstanceId: hooks.groupInstanceId } : {}),
    // Called by the patched joinAndSync with this member's assignment userData (kafkajs-patches.ts).
    afterSync(userData: Buffer | null) {
      hooks.onGroupEndpoints?.(decodeGroupEndpoints(userData));
    },
    version: 1,
    async assign({ members, topics }) {
      const count = (topic: string): number => cluster.findTopicPartitionMetadata(topic).length;
      const assignment = assignTasks(members.map((m) => m.memberId), groups, topics, count);
      const endpoints: MemberEndpoint[] = members.map((m) => ({
        endpoint: decodeSubscriptionEndpoint(AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.userData),
        assignment: assignment[m.memberId] ?? {},
      }));
      const userData = encodeGroupEndpoints(endpoints);
      return Object.entries(assignment).map(([memberId, own]) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment: own, userData }),
      }));
    },
    protocol({ topics }) {
      return {
        name: 'TributaryTaskAssigner',
        metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: encodeSubscriptionEndpoint(hooks.advertisedEndpoint) }),
        // kafkajs passes this object on to Broker#joinGroup, where the patch reads the id.
        ...(hooks.groupInstanceId ? { groupInstanceId: hooks.groupInstanceId } : {}),
      };
    },
  });
}
