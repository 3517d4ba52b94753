import { strict as assert } from 'node:assert';
import * as histogram from './internal/fixtures/histogram';
import { windowSession } from '../../../operators/window-session';
import { createOperator, rec, runBatches, TestContext } from './internal/test-context';
import { windows } from './internal/window-format';

describe('windowSession operator', () => {
  const opts = { store: 's', gap: 5, aggregate: { fn: 'count' } };

  it('closes a session once stream time passes last + gap (gap inclusive)', async () => {
    const out = await runBatches(windowSession, opts, [[rec('u', 'a', 0), rec('u', 'b', 5), rec('u', 'c', 20)], [rec('u', 'd', 40)], []]);
    assert.deepEqual(out.map(windows), [['u[0,5]:2'], ['u[20,20]:1'], []]);
  });

  it('merges two sessions bridged by an out-of-order record, emitting tombstones in update mode', async () => {
    const [out] = await runBatches(windowSession, { ...opts, emit: 'update', grace: 100 }, [[rec('u', 'a', 0), rec('u', 'b', 10), rec('u', 'c', 5)]]);
    assert.deepEqual(windows(out!), ['u[0,0]:1', 'u[10,10]:1', 'u[0,0]:null', 'u[10,10]:null', 'u[0,10]:3']);
  });

  it('routes a record whose session already closed to the late side output', async () => {
    const ctx = new TestContext();
    const out = await runBatches(windowSession, { ...opts, lateTo: 'late' }, [[rec('u', 'a', 100), rec('u', 'b', 3)]], ctx);
    assert.deepEqual(out.map(windows), [[]]);
    assert.deepEqual(ctx.side.map((s) => s.record.value), ['b']);
  });

  it('survives a restart in the middle of a session and merges module accumulators', async () => {
    const ctx = new TestContext();
    const o = { ...opts, aggregate: { fn: 'aggregate', module: histogram } };
    await runBatches(windowSession, o, [[rec('u', 'x', 0), rec('u', 'y', 3)]], ctx);
    const out = await runBatches(windowSession, o, [[rec('u', 'x', 6), rec('v', 'z', 50)]], ctx);
    assert.deepEqual(out.map(windows), [['u[0,6]:{"x":2,"y":1}']]);
  });

  it('rejects a module without merge', () => {
    assert.throws(() => createOperator(windowSession, { ...opts, aggregate: { fn: 'aggregate', module: { init: () => 0, add: () => 0 } } }), /merge/);
  });
});
