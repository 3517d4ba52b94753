import { strict as assert } from 'node:assert';
import { windowSliding } from '../../../operators/window-sliding';
import { straightAndRestarted } from './internal/restart-check';
import { rec, runBatches, TestContext } from './internal/test-context';
import { windows } from './internal/window-format';

describe('windowSliding operator', () => {
  const opts = { store: 's', size: 10, aggregate: { fn: 'count' } };

  it('emits per record the aggregate of the span before it, both ends inclusive', async () => {
    const [out] = await runBatches(windowSliding, { ...opts, emit: 'update' }, [[rec('u', 'a', 0), rec('u', 'b', 8), rec('u', 'c', 10), rec('u', 'd', 21)]]);
    assert.deepEqual(windows(out!), ['u[-10,0]:1', 'u[-2,8]:2', 'u[0,10]:3', 'u[11,21]:1']);
  });

  it('updates the later windows an out-of-order record falls into (within grace)', async () => {
    const [out] = await runBatches(windowSliding, { ...opts, emit: 'update', grace: 5 }, [[rec('u', 'a', 0), rec('u', 'b', 12), rec('u', 'c', 9)]]);
    assert.deepEqual(windows(out!), ['u[-10,0]:1', 'u[2,12]:1', 'u[-1,9]:2', 'u[2,12]:2']);
  });

  it('emits final results after stream time passes the end, drops state of old records, and counts late ones', async () => {
    const ctx = new TestContext();
    const out = await runBatches(windowSliding, opts, [[rec('u', 'a', 0), rec('u', 'b', 5)], [rec('v', 'x', 6), rec('u', 'late', 4)], [rec('v', 'y', 100)]], ctx);
    assert.deepEqual(out.map(windows), [['u[-10,0]:1'], ['u[-5,5]:2'], ['v[-4,6]:1']]);
    assert.equal(ctx.counters.get('late_records'), 1);
    const left = ctx.keyValueStore('s').stateSize();
    assert.equal(left, 2, 'only v@100 (state, timer) remains');
  });

  it('gives the same results with a restart in the middle of its windows', async () => {
    const records = [rec('u', 1, 1), rec('v', 2, 3), rec('u', 3, 7), rec('u', 4, 12), rec('v', 5, 11), rec('u', 6, 9), rec('u', 7, 40)];
    for (const at of [1, 3, 5]) {
      const [straight, restarted] = await straightAndRestarted(windowSliding, { store: 's', size: 10, grace: 3, aggregate: { fn: 'sum' } }, records, at);
      assert.deepEqual(restarted, straight);
      assert.ok(straight.length >= 3);
    }
  });
});
