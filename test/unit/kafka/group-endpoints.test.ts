import { strict as assert } from 'node:assert';
import { AssignerProtocol } from 'kafkajs';
import { checkAdvertisedEndpoint, decodeGroupEndpoints, decodeSubscriptionEndpoint, encodeGroupEndpoints, encodeSubscriptionEndpoint } from '../../../runtime/kafka/client/group-endpoints';
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
});
