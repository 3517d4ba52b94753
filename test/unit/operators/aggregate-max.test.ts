import { strict as assert } from 'node:assert';
import { aggregateMax } from '../../../operators/aggregate-max';
import { rec, runBatches, show } from './internal/test-context';

describe('aggregateMax operator', () => {
  it('keeps the running maximum per key', async () => {
    const [out] = await runBatches(aggregateMax, { store: 'm', field: 'value.d' }, [[rec('u', { d: 5 }, 1), rec('u', { d: 3 }, 2), rec('u', { d: 7 }, 3)]]);
    assert.deepEqual(show(out!), ['u:5@1', 'u:5@2', 'u:7@3']);
  });
});
