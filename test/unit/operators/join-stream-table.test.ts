import { strict as assert } from 'node:assert';
import { joinStreamTable } from '../../../operators/join-stream-table';
import { tableMaterialize } from '../../../operators/table-materialize';
import { rec, runBatches, show, TestContext } from './internal/test-context';

describe('joinStreamTable operator', () => {
  it('enriches by a computed key in a left join and drops misses in an inner join, with one getMany per batch', async () => {
    const ctx = new TestContext();
    await runBatches(tableMaterialize, { store: 'pins' }, [[rec('p1', { cat: 'food' }, 0), rec('p2', { cat: 'art' }, 0)]], ctx);
    const events = [rec('e', { pin: 'p1' }, 1), rec('e', { pin: 'p9' }, 2), rec('e', { pin: 'p2' }, 3)];
    const [left] = await runBatches(joinStreamTable, { table: 'pins', key: 'value.pin', into: 'pinInfo', mode: 'left' }, [events], ctx);
    assert.deepEqual(show(left!), ['e:{"pin":"p1","pinInfo":{"cat":"food"}}@1', 'e:{"pin":"p9","pinInfo":null}@2', 'e:{"pin":"p2","pinInfo":{"cat":"art"}}@3']);
    const calls = ctx.keyValueStore('pins').getManyCalls;
    const [inner] = await runBatches(joinStreamTable, { table: 'pins', key: 'value.pin', into: 'pinInfo', mode: 'inner' }, [events], ctx);
    assert.deepEqual(inner!.map((r) => r.timestamp), [1, 3]);
    assert.equal(ctx.keyValueStore('pins').getManyCalls, calls + 1);
    assert.equal(ctx.counters.get('join_misses'), 1);
  });

  it('joins on the record key by default and sees table updates and tombstones', async () => {
    const ctx = new TestContext();
    await runBatches(tableMaterialize, { store: 't' }, [[rec('u', { tier: 1 }, 0), rec('u', { tier: 2 }, 1), rec('v', { tier: 1 }, 0), rec('v', null, 2)]], ctx);
    const [out] = await runBatches(joinStreamTable, { table: 't', into: 'user' }, [[rec('u', 'x', 3), rec('v', 'y', 3)]], ctx);
    assert.deepEqual(show(out!), ['u:{"value":"x","user":{"tier":2}}@3', 'v:{"value":"y","user":null}@3']);
  });

  it('emits nothing for an empty batch', async () => {
    const [out] = await runBatches(joinStreamTable, { table: 't', into: 'x' }, [[]]);
    assert.deepEqual(out, []);
  });
});
