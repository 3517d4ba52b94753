import { strict as assert } from 'node:assert';
import { windowTumbling } from '../../../operators/window-tumbling';
import { createOperator, rec, runBatches, TestContext } from './internal/test-context';
import type { StreamRecord } from '../../../core/stream-record';

/** `key[start,end):value@timestamp` */
const win = (records: StreamRecord[]) => records.map((r) => {
  const k = r.key as { key: string; window: { start: number; end: number } };
  return `${k.key}[${k.window.start},${k.window.end}):${JSON.stringify(r.value)}@${r.timestamp}`;
});

describe('windowTumbling operator', () => {
  const count = { store: 'w', size: 10, aggregate: { fn: 'count' } };

  it('emits nothing for empty input', async () => {
    const ctx = new TestContext();
    const out = await runBatches(windowTumbling, count, [[], []], ctx);
    assert.deepEqual(out, [[], []]);
    assert.equal(ctx.keyValueStore('w').size(), 0);
  });

  it('emits one result per window when stream time reaches its end (start inclusive, end exclusive); late records go to the DLQ and are counted', async () => {
    const ctx = new TestContext();
    const [out] = await runBatches(windowTumbling, count, [[
      rec('u', 'a', 0), rec('u', 'b', 9), rec('u', 'c', 10), rec('u', 'd', 3), rec('u', 'e', 20),
    ]], ctx);
    assert.deepEqual(win(out!), ['u[0,10):2@9', 'u[10,20):1@10']);
    assert.equal(ctx.failed.length, 1);
    assert.equal(ctx.failed[0]!.record.value, 'd');
    assert.match(String(ctx.failed[0]!.error), /late record/);
    assert.equal(ctx.counters.get('late_records'), 1);
  });

  it('accepts out-of-order records within grace and sends later ones to the lateTo side output', async () => {
    const ctx = new TestContext();
    const [out] = await runBatches(windowTumbling, { ...count, grace: 5, lateTo: 'late' }, [[
      rec('u', 'a', 1), rec('u', 'b', 12), rec('u', 'c', 4), rec('u', 'd', 15), rec('u', 'e', 5),
    ]], ctx);
    assert.deepEqual(win(out!), ['u[0,10):2@4']);
    assert.deepEqual(ctx.side.map((s) => `${s.target}:${String(s.record.value)}`), ['late:e']);
    assert.equal(ctx.failed.length, 0);
  });

  it('closes the window of a key that went quiet when other keys move stream time, not on an empty batch', async () => {
    const out = await runBatches(windowTumbling, count, [[rec('quiet', 'a', 2)], [], [rec('busy', 'b', 15)]]);
    assert.deepEqual(out.map(win), [[], [], ['quiet[0,10):1@2']]);
  });

  it('restores a window after a restart in its middle and gives the same result as without one', async () => {
    const all = [rec('u', 1, 1), rec('v', 2, 2), rec('u', 3, 5), rec('u', 4, 8), rec('v', 5, 13), rec('u', 6, 30)];
    const straight = (await runBatches(windowTumbling, { ...count, aggregate: { fn: 'sum' } }, [all])).flat();
    const ctx = new TestContext();
    await runBatches(windowTumbling, { ...count, aggregate: { fn: 'sum' } }, [all.slice(0, 3)], ctx);
    // a crash after processing but before commit: these writes are lost and the records are replayed
    const lost = createOperator(windowTumbling, { ...count, emit: 'final', grace: 0, aggregate: { fn: 'sum' } }, ctx);
    await new Promise<void>((resolve) => { import('rxjs').then(({ from }) => from(all.slice(3, 5)).pipe(lost).subscribe({ complete: () => resolve() })); });
    ctx.crash();
    const restarted = (await runBatches(windowTumbling, { ...count, aggregate: { fn: 'sum' } }, [all.slice(3)], ctx)).flat();
    assert.deepEqual(win(restarted), win(straight));
    assert.deepEqual(win(straight), ['v[0,10):2@2', 'u[0,10):8@8', 'v[10,20):5@13']);
  });

  it('emits every update with emit: update, and averages', async () => {
    const [out] = await runBatches(windowTumbling, { ...count, emit: 'update', aggregate: { fn: 'average', field: 'value.x' } }, [[
      rec('u', { x: 1 }, 1), rec('u', { x: 2 }, 2), rec('u', { x: 6 }, 11),
    ]]);
    assert.deepEqual(win(out!), ['u[0,10):1@1', 'u[0,10):1.5@2', 'u[10,20):6@11']);
  });

  it('sends a record whose field is not a number to the error policy', async () => {
    const ctx = new TestContext();
    const [out] = await runBatches(windowTumbling, { ...count, emit: 'update', aggregate: { fn: 'sum', field: 'value.x' } }, [[rec('u', { x: 'no' }, 1), rec('u', { x: 2 }, 2)]], ctx);
    assert.deepEqual(win(out!), ['u[0,10):2@2']);
    assert.match(String(ctx.failed[0]!.error), /not a finite number/);
  });
});
