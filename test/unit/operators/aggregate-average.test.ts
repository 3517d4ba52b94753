import { strict as assert } from 'node:assert';
import { aggregateAverage } from '../../../operators/aggregate-average';
import { rec, runBatches, show, TestContext } from './internal/test-context';

describe('aggregateAverage operator', () => {
  it('keeps {sum, count} in the store and emits the mean', async () => {
    const ctx = new TestContext();
    const [out] = await runBatches(aggregateAverage, { store: 'a' }, [[rec('u', 1, 1), rec('u', 3, 2)]], ctx);
    assert.deepEqual(show(out!), ['u:1@1', 'u:2@2']);
    assert.deepEqual(await ctx.keyValueStore('a').get('u'), { sum: 4, count: 2 });
  });
});
