import { strict as assert } from 'node:assert';
import { AssignerProtocol } from 'kafkajs';
import { checkAdvertisedEndpoint, decodeGroupEndpoints, derivedGroupInstanceId, decodeStandbyTasks, decodeSubscriptionEndpoint, decodeSubscriptionTasks, encodeGroupEndpoints, encodeSubscriptionEndpoint } from '../../../runtime/kafka/client/group-endpoints';
import { taskAssigner } from '../../../runtime/kafka/client/kafkajs/kafkajs-task-assigner';

describe('group endpoints (query endpoints in the group protocol)', () => {
  it('round-trips a member\'s endpoint and the leader\'s map, and reads foreign bytes as none', () => {
    assert.equal(decodeSubscriptionEndpoint(encodeSubscriptionEndpoint('10.0.0.5:9464')), '10.0.0.5:9464');
    assert.equal(decodeSubscriptionEndpoint(encodeSubscriptionEndpoint(undefined)), '');
    assert.equal(decodeSubscriptionEndpoint(Buffer.from('not json')), '');
    const members = [{ endpoint: 'a:1', assignment: { t: [0, 2] } }, { endpoint: '', assignment: { t: [1] } }];
    assert.deepEqual(decodeGroupEndpoints(encodeGroupEndpoints(members)), members);
    assert.deepEqual(decodeGroupEndpoints(Buffer.alloc(0)), []);
    assert.deepEqual(decodeGroupEndpoints(Buffer.from('{"v":2,"members":[]}')), []);
  });

  it('accepts host:port and says what is expected otherwise', () => {
    for (const ok of ['127.0.0.1:9464', 'node-1.svc.cluster.local:80', '[::1]:9464']) assert.equal(checkAdvertisedEndpoint(ok), ok);
    for (const bad of ['http://a:1', 'a', 'a:0', 'a:70000', 'a:1/x']) assert.throws(() => checkAdvertisedEndpoint(bad), /advertised endpoint must be host:port/);
  });

  it('the assigner advertises its endpoint and the leader gives every member all endpoints with their partitions', async () => {
    const cluster = { findTopicPartitionMetadata: () => [{}, {}, {}, {}] };
    const seen: unknown[] = [];
    const make = (endpoint: string) => taskAssigner([['t']], { advertisedEndpoint: endpoint, onGroupEndpoints: (m) => seen.push(m) })({ cluster } as never);
    const a = make('a:1');
    const b = make('b:2');
    const members = [a, b].map((x, i) => ({ memberId: `m${i}`, memberMetadata: x.protocol({ topics: ['t'] }).metadata }));
    const result = await a.assign({ members, topics: ['t'] } as never);
    assert.equal(result.length, 2);
    for (const r of result) {
      const decoded = AssignerProtocol.MemberAssignment.decode(r.memberAssignment)!;
      const map = decodeGroupEndpoints(decoded.userData);
      assert.deepEqual(map.map((m) => m.endpoint), ['a:1', 'b:2']);
      assert.deepEqual(map.flatMap((m) => [...m.assignment.t]).sort(), [0, 1, 2, 3], 'every partition has one endpoint');
      (b as unknown as { afterSync(u: Buffer): void }).afterSync(decoded.userData);
    }
    assert.equal(seen.length, 2);
  });

  it('carries what a member holds of each task in its subscription, and its standby tasks in its assignment', () => {
    const held = { '1_0': -1, '1_3': 420 };
    const bytes = encodeSubscriptionEndpoint(undefined, held);
    assert.deepEqual(decodeSubscriptionTasks(bytes), held);
    assert.equal(decodeSubscriptionEndpoint(bytes), '');
    assert.deepEqual(decodeSubscriptionTasks(encodeSubscriptionEndpoint('a:1')), {});
    assert.deepEqual(decodeSubscriptionTasks(Buffer.from('{"v":1,"endpoint":"","tasks":{"1_0":"x","1_1":7}}')), { '1_1': 7 });
    assert.deepEqual(decodeStandbyTasks(encodeGroupEndpoints([], ['1_2', '1_5'])), ['1_2', '1_5']);
    assert.deepEqual(decodeStandbyTasks(encodeGroupEndpoints([])), []);
    assert.deepEqual(decodeStandbyTasks(Buffer.from('{"v":1,"members":[],"standby":["1_2","../x",3]}')), ['1_2']);
  });

  it('the leader keeps tasks where their state is and tells each member its standbys', async () => {
    const cluster = { findTopicPartitionMetadata: () => [{}, {}, {}, {}] };
    const standbys = new Map<string, string[]>();
    const make = (name: string, held: Record<string, number>) => taskAssigner([['t']], {
      localTasks: () => held, standbyReplicas: 1, isStatefulTask: () => true, onStandbyTasks: (ids) => standbys.set(name, ids),
    })({ cluster } as never);
    // 'b' runs 0_0 and 0_1 now; without its report member m0 ('a') would get partition 0.
    const a = make('a', {});
    const b = make('b', { '0_0': -1, '0_1': -1 });
    const members = [a, b].map((x, i) => ({ memberId: `m${i}`, memberMetadata: x.protocol({ topics: ['t'] }).metadata }));
    const result = await a.assign({ members, topics: ['t'] } as never);
    const byMember = new Map(result.map((r) => [r.memberId, AssignerProtocol.MemberAssignment.decode(r.memberAssignment)!]));
    assert.deepEqual([...byMember.get('m1')!.assignment.t].sort(), [0, 1]);
    (a as unknown as { afterSync(u: Buffer): void }).afterSync(byMember.get('m0')!.userData);
    (b as unknown as { afterSync(u: Buffer): void }).afterSync(byMember.get('m1')!.userData);
    assert.deepEqual(standbys.get('a')!.sort(), ['0_0', '0_1']);
    assert.deepEqual(standbys.get('b')!.sort(), ['0_2', '0_3']);
  });

  it('derives a stable group instance id per app, host and state directory, in Kafka\'s character set', () => {
    const id = derivedGroupInstanceId('word-count', 'pod-0.svc', '/var/lib/tributary');
    assert.match(id, /^word-count-pod-0\.svc-[0-9a-f]{12}$/);
    assert.equal(derivedGroupInstanceId('word-count', 'pod-0.svc', '/var/lib/tributary'), id, 'the same inputs give the same id');
    assert.notEqual(derivedGroupInstanceId('word-count', 'pod-0.svc', '/var/lib/other'), id, 'another state directory, another id');
    assert.match(derivedGroupInstanceId('a b', 'h/ost', '/x'), /^a_b-h_ost-[0-9a-f]{12}$/);
    assert.ok(derivedGroupInstanceId('a'.repeat(300), 'h'.repeat(300), '/x').length <= 249);
  });
});
