import { strict as assert } from 'node:assert';
import { dedupe } from '../../../operators/dedupe';
import { rec, runBatches, show, TestContext } from './internal/test-context';

describe('dedupe operator', () => {
  it('passes the first record of an id and drops repeats within the window (inclusive)', async () => {
    const ctx = new TestContext();
    const [out] = await runBatches(dedupe, { store: 'd', id: 'value.id', within: 10 }, [[
      rec('u', { id: 'e1' }, 0), rec('u', { id: 'e1' }, 4), rec('v', { id: 'e2' }, 5), rec('u', { id: 'e1' }, 10), rec('u', { id: 'e1' }, 11),
    ]], ctx);
    assert.deepEqual(show(out!), ['u:{"id":"e1"}@0', 'v:{"id":"e2"}@5', 'u:{"id":"e1"}@11']);
    assert.equal(ctx.counters.get('duplicates_dropped'), 2);
  });

  it('remembers ids across a restart, forgets them after the window, and passes empty input', async () => {
    const ctx = new TestContext();
    await runBatches(dedupe, { store: 'd', within: 10 }, [[rec('a', 1, 0)]], ctx);
    const out = await runBatches(dedupe, { store: 'd', within: 10 }, [[], [rec('a', 2, 5)], [rec('b', 3, 30)]], ctx);
    assert.deepEqual(out.map(show), [[], [], ['b:3@30']]);
    assert.equal(ctx.keyValueStore('d').stateSize(), 2, 'a expired; b (state, timer) remains');
  });

  it('fires a timer set below the last scanned time (an out-of-order first record) on the next batch', async () => {
    const ctx = new TestContext();
    await runBatches(dedupe, { store: 'd', within: 10 }, [[rec('b', 1, 100)], [rec('a', 2, 50)], []], ctx);
    assert.equal(ctx.keyValueStore('d').stateSize(), 2, "a's entry expired although its timer (61) lies before the previous scan (100)");
  });

  it('sends a record whose id cannot be computed to the error policy', async () => {
    const ctx = new TestContext();
    const [out] = await runBatches(dedupe, { store: 'd', within: 10, id: 'value.missing.deeper + 1' }, [[rec('a', {}, 0)]], ctx);
    assert.deepEqual(out, []);
    assert.equal(ctx.failed.length, 1);
  });
});
