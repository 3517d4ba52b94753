import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';
import { assignTasks, type CoPartitionGroups } from '../task-assignment';

/**
 * A kafkajs partition assigner that keeps each task's partitions on one
 * member (kafkajs' round-robin splits partition p of a join's two topics
 * between members). Its protocol name differs from kafkajs' built-ins on
 * purpose: a member of an older build cannot join the group and mix rules.
 */
export function taskAssigner(groups: CoPartitionGroups, beforeRejoin?: () => Promise<void>): PartitionAssigner {
  return ({ cluster }) => ({
    name: 'TributaryTaskAssigner',
    // Awaited by the rejoin hook (kafkajs-patches.ts) before this member rejoins its group.
    ...(beforeRejoin ? { beforeRejoin } : {}),
    version: 1,
    async assign({ members, topics }) {
      const count = (topic: string): number => cluster.findTopicPartitionMetadata(topic).length;
      const assignment = assignTasks(members.map((m) => m.memberId), groups, topics, count);
      return Object.entries(assignment).map(([memberId, own]) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment: own, userData: Buffer.alloc(0) }),
      }));
    },
    protocol({ topics }) {
      return { name: 'TributaryTaskAssigner', metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }) };
    },
  });
}
