import { strict as assert } from 'node:assert';
import { aggregateSum } from '../../../operators/aggregate-sum';
import { rec, runBatches, show, TestContext } from './internal/test-context';

describe('aggregateSum operator', () => {
  it('sums a field per key and sends non-numbers to the error policy', async () => {
    const ctx = new TestContext();
    const [out] = await runBatches(aggregateSum, { store: 's', field: 'value.n', into: 'total' }, [[rec('u', { n: 2 }, 1), rec('u', { n: 'x' }, 2), rec('u', { n: 3 }, 3)]], ctx);
    assert.deepEqual(show(out!), ['u:{"n":2,"total":2}@1', 'u:{"n":3,"total":5}@3']);
    assert.equal(ctx.failed.length, 1);
  });

  it('accepts a CEL expression as the field', async () => {
    const [out] = await runBatches(aggregateSum, { store: 's', field: 'value.action == "save" ? 3.0 : 1.0' }, [[rec('u', { action: 'save' }, 1), rec('u', { action: 'click' }, 2)]]);
    assert.deepEqual(show(out!), ['u:3@1', 'u:4@2']);
  });
});
