import { strict as assert } from 'node:assert';
import { windowHopping } from '../../../operators/window-hopping';
import { straightAndRestarted } from './internal/restart-check';
import { rec, runBatches } from './internal/test-context';
import type { StreamRecord } from '../../../core/stream-record';
import { stepProblems } from './internal/step-problems';

const win = (records: StreamRecord[]) => records.map((r) => {
  const k = r.key as { key: string; window: { start: number; end: number } };
  return `${k.key}[${k.window.start},${k.window.end}):${JSON.stringify(r.value)}`;
});

describe('windowHopping operator', () => {
  it('counts each record in every window that contains it', async () => {
    const [out] = await runBatches(windowHopping, { store: 'w', size: 10, advance: 5, emit: 'update', aggregate: { fn: 'count' } }, [[rec('u', 'a', 7), rec('u', 'b', 12)]]);
    assert.deepEqual(win(out!), ['u[0,10):1', 'u[5,15):1', 'u[5,15):2', 'u[10,20):1']);
  });

  it('closes overlapping windows in start order with min and max', async () => {
    const out = await runBatches(windowHopping, { store: 'w', size: 10, advance: 5, aggregate: { fn: 'max', field: 'value' } }, [
      [rec('u', 3, 0), rec('u', 7, 6), rec('u', 1, 9)], [rec('x', 0, 25)],
    ]);
    assert.deepEqual(out.map(win), [[], ['u[0,10):7', 'u[5,15):7']]);
  });

  it('rejects an advance larger than the size', () => {
    assert.deepEqual(stepProblems(['- id: w', '  window-hopping: { store: w, size: 5s, advance: 10s, aggregate: { fn: count } }'], ['w']), ['window-hopping: advance must not exceed size']);
  });

  it('gives the same results with a restart in the middle of its windows', async () => {
    const records = [rec('u', 1, 1), rec('v', 2, 3), rec('u', 3, 7), rec('u', 4, 12), rec('v', 5, 11), rec('u', 6, 9), rec('u', 7, 40)];
    for (const at of [1, 3, 5]) {
      const [straight, restarted] = await straightAndRestarted(windowHopping, { store: 'w', size: 10, advance: 5, aggregate: { fn: 'sum' } }, records, at);
      assert.deepEqual(restarted, straight);
      assert.ok(straight.length >= 3);
    }
  });
});
