import { strict as assert } from 'node:assert';
import { assignTasks } from '../../../runtime/kafka/client/task-assignment';

describe('assignTasks (the group assignor)', () => {
  const counts: Record<string, number> = { clicks: 6, 'app-join-repartition': 3, campaigns: 3 };
  const groups = [['clicks'], ['app-join-repartition', 'campaigns']];
  const subscribed = Object.keys(counts);

  it("gives partition p of every co-partitioned topic to the same member, whatever the member count", () => {
    for (const members of [['m1'], ['m1', 'm2'], ['m3', 'm1', 'm2'], ['a', 'b', 'c', 'd', 'e', 'f', 'g']]) {
      const assignment = assignTasks(members, groups, subscribed, (t) => counts[t]);
      for (let p = 0; p < 3; p++) {
        const owners = members.filter((m) => (assignment[m]['campaigns'] ?? []).includes(p));
        const repartitionOwners = members.filter((m) => (assignment[m]['app-join-repartition'] ?? []).includes(p));
        assert.deepEqual(owners, repartitionOwners, `partition ${p} with ${members.length} members`);
        assert.equal(owners.length, 1);
      }
      const clickPartitions = members.flatMap((m) => assignment[m]['clicks'] ?? []).sort();
      assert.deepEqual(clickPartitions, [0, 1, 2, 3, 4, 5], 'every partition has exactly one owner');
    }
  });

  it('spreads tasks evenly over members', () => {
    const assignment = assignTasks(['m1', 'm2'], groups, subscribed, (t) => counts[t]);
    const tasksOf = (m: string): number => (assignment[m]['clicks'] ?? []).length + (assignment[m]['campaigns'] ?? []).length;
    assert.equal(tasksOf('m1') + tasksOf('m2'), 9);
    assert.ok(Math.abs(tasksOf('m1') - tasksOf('m2')) <= 1);
  });

  it('gives every member tasks of every sub-topology when there are as many members as sub-topologies', () => {
    const even = { lines: 4, 'app-count-repartition': 4 } as Record<string, number>;
    const assignment = assignTasks(['m1', 'm2'], [['lines'], ['app-count-repartition']], Object.keys(even), (t) => even[t]);
    for (const m of ['m1', 'm2']) {
      assert.equal(assignment[m]['lines']?.length, 2, `${m} reads lines`);
      assert.equal(assignment[m]['app-count-repartition']?.length, 2, `${m} counts`);
    }
  });
});
