import { strict as assert } from 'node:assert';
import { aggregateCount } from '../../../operators/aggregate-count';
import { rec, runBatches, show, TestContext } from './internal/test-context';

describe('aggregateCount operator', () => {
  it('counts per key across batches and restarts, and emits nothing for empty input', async () => {
    const ctx = new TestContext();
    const out = await runBatches(aggregateCount, { store: 'c' }, [[rec('u', 'x', 1), rec('v', 'y', 2), rec('u', 'z', 3)], []], ctx);
    const again = await runBatches(aggregateCount, { store: 'c' }, [[rec('u', 'x', 4)]], ctx);
    assert.deepEqual([...out, ...again].map(show), [['u:1@1', 'v:1@2', 'u:2@3'], [], ['u:3@4']]);
    assert.equal(await ctx.keyValueStore('c').get('u'), 3);
  });
});
