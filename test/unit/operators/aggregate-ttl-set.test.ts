import { strict as assert } from 'node:assert';
import { aggregateTtlSet, liveMembers } from '../../../operators/aggregate-ttl-set';
import { rec, runBatches, TestContext } from './internal/test-context';

describe('aggregateTtlSet operator', () => {
  it('expires members ttl after they were added (expiry end exclusive)', async () => {
    const [out] = await runBatches(aggregateTtlSet, { store: 's', member: 'value.pin', ttl: 10 }, [[
      rec('u', { pin: 'a' }, 0), rec('u', { pin: 'b' }, 5), rec('u', { pin: 'c' }, 10),
    ]]);
    assert.deepEqual(out!.map((r) => r.value), [['a'], ['a', 'b'], ['b', 'c']]);
  });

  it('removes a member on remove, caps the size, and deletes an empty set from the store', async () => {
    const ctx = new TestContext();
    const [out] = await runBatches(aggregateTtlSet, { store: 's', member: 'value.pin', ttl: 100, remove: 'value.unhide', maxSize: 2 }, [[
      rec('u', { pin: 'a' }, 0), rec('u', { pin: 'b' }, 1), rec('u', { pin: 'c' }, 2),
      rec('u', { pin: 'b', unhide: true }, 3), rec('u', { pin: 'c', unhide: true }, 4),
    ]], ctx);
    assert.deepEqual(out!.map((r) => r.value), [['a'], ['a', 'b'], ['b', 'c'], ['c'], []]);
    assert.equal(ctx.keyValueStore('s').size(), 0);
  });

  it('lets readers of the store check liveness at their own time', async () => {
    const ctx = new TestContext();
    await runBatches(aggregateTtlSet, { store: 's', member: 'value.pin', ttl: 10 }, [[rec('u', { pin: 'a' }, 0)]], ctx);
    const state = await ctx.keyValueStore<string, { members: Record<string, number> }>('s').get('u');
    assert.deepEqual(liveMembers(state, 9), ['a']);
    assert.deepEqual(liveMembers(state, 10), []);
  });
});
