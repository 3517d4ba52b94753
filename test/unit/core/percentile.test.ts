import { strict as assert } from 'node:assert';
import { median, percentile, percentileOfSorted } from '../../../core/percentile';

describe('percentile (nearest rank)', () => {
  it('picks measured values by nearest rank, never interpolating', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentileOfSorted(hundred, 0.5), 50);
    assert.equal(percentileOfSorted(hundred, 0.99), 99);
    assert.equal(percentileOfSorted(hundred, 0.991), 100);
    assert.equal(percentileOfSorted(hundred, 1), 100);
    assert.equal(percentileOfSorted(hundred, 0.001), 1);
    assert.equal(percentileOfSorted([7], 0.99), 7);
  });

  it('takes the lower middle as the median of an even count, the middle of an odd one', () => {
    assert.equal(median([20, 10]), 10);
    assert.equal(median([30, 10, 20]), 20);
    assert.equal(median([4, 1, 3, 2]), 2);
  });

  it('sorts numerically (not as strings), and leaves its input unchanged', () => {
    const values = [300, 5, 1200, 40, 90];
    assert.equal(percentile(values, 0.5), 90);
    assert.equal(percentile(values, 0.99), 1200);
    assert.equal(percentile([9, 10, 100], 0.34), 10);
    assert.deepEqual(values, [300, 5, 1200, 40, 90]);
  });

  it('takes the 198th of 200 samples as p99: the two slowest set only the max', () => {
    const twoSlow = [...Array.from({ length: 198 }, () => 10), 500, 9000];
    assert.equal(percentile(twoSlow, 0.99), 10);
    assert.equal(percentile([...Array.from({ length: 197 }, () => 10), 500, 600, 9000], 0.99), 500);
  });

  it('refuses an empty set and a quantile outside (0, 1]', () => {
    assert.throws(() => percentile([], 0.5), /percentile of no values/);
    assert.throws(() => percentile([1], 0), /q must be in \(0, 1\], got 0/);
    assert.throws(() => percentile([1], 1.5), /got 1.5/);
    assert.throws(() => percentile([1], Number.NaN), /got NaN/);
  });
});
