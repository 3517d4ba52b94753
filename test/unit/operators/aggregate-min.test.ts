import { strict as assert } from 'node:assert';
import { aggregateMin } from '../../../operators/aggregate-min';
import { rec, runBatches, show } from './internal/test-context';

describe('aggregateMin operator', () => {
  it('keeps the running minimum per key', async () => {
    const [out] = await runBatches(aggregateMin, { store: 'm' }, [[rec('u', 5, 1), rec('u', 3, 2), rec('u', 4, 3), rec('v', -1, 4)]]);
    assert.deepEqual(show(out!), ['u:5@1', 'u:3@2', 'u:3@3', 'v:-1@4']);
  });
});
