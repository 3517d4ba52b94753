import { strict as assert } from 'node:assert';
import { debounce } from '../../../operators/debounce';
import { rec, runBatches, show, TestContext } from './internal/test-context';

describe('debounce operator', () => {
  it('emits the latest record of a burst once the key is quiet for the interval', async () => {
    const out = await runBatches(debounce, { store: 's', interval: 10 }, [
      [rec('u', 'a', 0), rec('u', 'b', 5), rec('u', 'c', 30)],
      [rec('v', 'x', 40)],
    ]);
    assert.deepEqual(out.map(show), [['u:"b"@5'], ['u:"c"@30']]);
  });

  it('emits nothing for an empty batch with no due timers, and does not emit before the interval ends (exclusive)', async () => {
    const out = await runBatches(debounce, { store: 's', interval: 10 }, [[], [rec('u', 'a', 0)], [rec('v', 'x', 9)], [rec('v', 'y', 10)]]);
    assert.deepEqual(out.map(show), [[], [], [], ['u:"a"@0']]);
  });

  it('keeps the pending record across a restart and emits it when stream time passes', async () => {
    const ctx = new TestContext();
    await runBatches(debounce, { store: 's', interval: 10 }, [[rec('u', 'a', 0)]], ctx);
    const out = await runBatches(debounce, { store: 's', interval: 10 }, [[rec('other', 'z', 20)]], ctx);
    assert.deepEqual(out.map(show), [['u:"a"@0']]);
  });

  it('with a wall clock, requests punctuation and fires on an empty batch', async () => {
    const ctx = new TestContext();
    ctx.now = 1000;
    const first = await runBatches(debounce, { store: 's', interval: 100, time: 'wall' }, [[rec('u', 'a', 5)]], ctx);
    assert.deepEqual(ctx.punctuation, [50]);
    ctx.now = 1099;
    const early = await runBatches(debounce, { store: 's', interval: 100, time: 'wall' }, [[]], ctx);
    ctx.now = 1100;
    const due = await runBatches(debounce, { store: 's', interval: 100, time: 'wall' }, [[]], ctx);
    assert.deepEqual([first, early, due].map((b) => show(b[0]!)), [[], [], ['u:"a"@5']]);
    assert.equal(ctx.keyValueStore('s').stateSize(), 0, 'state and timer are gone after the emit');
  });
});
