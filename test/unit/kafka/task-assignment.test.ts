import { strict as assert } from 'node:assert';
import { RUNNING_HERE, assignTasks, assignTasksWithStandbys } from '../../../runtime/kafka/client/task-assignment';

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

describe('assignTasksWithStandbys (state-aware assignment and standby replicas)', () => {
  const counts: Record<string, number> = { lines: 6, 'app-count-repartition': 6 };
  const groups = [['lines'], ['app-count-repartition']];
  const subscribed = Object.keys(counts);
  const count = (t: string): number => counts[t];
  const stateful = new Set(Array.from({ length: 6 }, (_, p) => `1_${p}`));
  const tasksOf = (assignment: Record<string, Record<string, number[]>>, m: string): string[] =>
    Object.entries(assignment[m]).flatMap(([topic, ps]) => ps.map((p) => `${topic === 'lines' ? 0 : 1}_${p}`)).sort();

  it('keeps each task on the member that runs it, when the split is fair', () => {
    const first = assignTasksWithStandbys(['a', 'b'], groups, subscribed, count).active;
    const localState = {
      a: Object.fromEntries(tasksOf(first, 'b').map((id) => [id, RUNNING_HERE])),
      b: Object.fromEntries(tasksOf(first, 'a').map((id) => [id, RUNNING_HERE])),
    };
    // Member ids sort the other way round now: without the hints the tasks would swap.
    const again = assignTasksWithStandbys(['b', 'a'], groups, subscribed, count, { localState }).active;
    assert.deepEqual(tasksOf(again, 'a'), tasksOf(first, 'b'));
    assert.deepEqual(tasksOf(again, 'b'), tasksOf(first, 'a'));
  });

  it('gives a lost member\'s tasks to the member with the freshest copy of their state, within its fair share', () => {
    const localState = {
      c: { '1_4': 900, '1_5': 10 },
      d: { '1_4': 100, '1_5': 500 },
    };
    const { active } = assignTasksWithStandbys(['c', 'd', 'e'], groups, subscribed, count, { localState });
    assert.ok(tasksOf(active, 'c').includes('1_4'), JSON.stringify(active));
    assert.ok(tasksOf(active, 'd').includes('1_5'), JSON.stringify(active));
    for (const m of ['c', 'd', 'e']) assert.equal(tasksOf(active, m).length, 4, `${m}: a fair share of 12 tasks over 3 members`);
  });

  it('never lets state pull more than a fair share onto one member', () => {
    const all = Object.fromEntries([...stateful].map((id) => [id, RUNNING_HERE]));
    const { active } = assignTasksWithStandbys(['a', 'b'], groups, subscribed, count, { localState: { a: all } });
    assert.equal(tasksOf(active, 'a').length, 6);
    assert.equal(tasksOf(active, 'b').length, 6);
    assert.equal(tasksOf(active, 'a').filter((id) => id.startsWith('1_')).length, 3, 'half the stateful tasks each');
  });

  it('puts standbys of stateful tasks only, on members other than the active one, as many as asked while members last', () => {
    for (const [members, replicas, expected] of [[['a', 'b'], 1, 1], [['a', 'b', 'c'], 2, 2], [['a', 'b'], 3, 1], [['a'], 1, 0]] as const) {
      const { active, standby } = assignTasksWithStandbys(members, groups, subscribed, count, { standbyReplicas: replicas, statefulTasks: stateful });
      for (const id of stateful) {
        const holders = members.filter((m) => standby[m].includes(id));
        assert.equal(holders.length, expected, `${id} with ${members.length} members and ${replicas} replicas`);
        for (const h of holders) assert.ok(!tasksOf(active, h).includes(id), `${id}: the standby is not on its active member`);
      }
      for (const m of members) assert.ok(standby[m].every((id) => stateful.has(id)), 'stateless tasks get no standby');
    }
  });

  it('spreads standbys evenly and keeps them where their state is', () => {
    const { standby } = assignTasksWithStandbys(['a', 'b', 'c'], groups, subscribed, count, { standbyReplicas: 1, statefulTasks: stateful });
    assert.deepEqual(['a', 'b', 'c'].map((m) => standby[m].length), [2, 2, 2]);
    // c holds a copy of a task b runs: the copy stays c's standby.
    const runs = tasksOf(assignTasksWithStandbys(['a', 'b', 'c'], groups, subscribed, count).active, 'b').find((id) => stateful.has(id))!;
    const localState = { b: { [runs]: RUNNING_HERE }, c: { [runs]: 50 } };
    const again = assignTasksWithStandbys(['a', 'b', 'c'], groups, subscribed, count, { standbyReplicas: 1, statefulTasks: stateful, localState });
    assert.ok(tasksOf(again.active, 'b').includes(runs));
    assert.ok(again.standby.c.includes(runs), JSON.stringify(again.standby));
  });
});
