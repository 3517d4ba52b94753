import { strict as assert } from 'node:assert';
import { emitOnChange } from '../../../operators/emit-on-change';
import { rec, runBatches, show, TestContext } from './internal/test-context';

describe('emitOnChange operator', () => {
  it('passes the first record of each key and then only material changes', async () => {
    const ctx = new TestContext();
    const out = await runBatches(emitOnChange, { store: 's', tolerance: 0.01 }, [
      [rec('u', 1.0, 1), rec('u', 1.005, 2), rec('v', 1.005, 2), rec('u', 1.2, 3)],
      [],
    ], ctx);
    assert.deepEqual(out.map(show), [['u:1@1', 'v:1.005@2', 'u:1.2@3'], []]);
    assert.equal(ctx.counters.get('unchanged_dropped'), 1);
  });

  it('ignores named fields and compares only the top of lists, across a restart', async () => {
    const ctx = new TestContext();
    const opts = { store: 's', compare: 'value.items', prefix: 2, ignore: ['score'] };
    const v = (ids: string[], score = 1) => ({ generatedAt: Math.random(), items: ids.map((id) => ({ id, score })) });
    await runBatches(emitOnChange, opts, [[rec('u', v(['a', 'b', 'c']), 1)]], ctx);
    const out = await runBatches(emitOnChange, opts, [[rec('u', v(['a', 'b', 'z'], 7), 2), rec('u', v(['b', 'a']), 3)]], ctx);
    assert.deepEqual(out[0]!.map((r) => r.timestamp), [3]);
  });
});
