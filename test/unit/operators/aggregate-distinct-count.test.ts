import { strict as assert } from 'node:assert';
import { aggregateDistinctCount } from '../../../operators/aggregate-distinct-count';
import { HyperLogLog } from '../../../operators/internal/hyperloglog';
import { rec, runBatches, show } from './internal/test-context';

describe('aggregateDistinctCount operator', () => {
  it('counts small sets of distinct values exactly', async () => {
    const [out] = await runBatches(aggregateDistinctCount, { store: 'd', field: 'value.pin', precision: 12 }, [[rec('u', { pin: 'a' }, 1), rec('u', { pin: 'b' }, 2), rec('u', { pin: 'a' }, 3)]]);
    assert.deepEqual(show(out!), ['u:1@1', 'u:2@2', 'u:2@3']);
  });

  it('stays within 5% (3 standard errors at p=12) for 20,000 distinct values, and sketches merge', () => {
    const a = new HyperLogLog(12);
    const b = new HyperLogLog(12);
    for (let i = 0; i < 20_000; i++) (i % 2 ? a : b).add(`pin-${i}`);
    const merged = a.merge(b).estimate();
    assert.ok(Math.abs(merged - 20_000) / 20_000 < 0.05, `estimate ${merged}`);
    assert.equal(HyperLogLog.deserialize(a.serialize()).estimate(), a.estimate());
  });
});
