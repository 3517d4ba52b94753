import { strict as assert } from 'node:assert';
import { summarizeLatencies } from '../../helpers/latency-summary';
import { RatePacer } from '../../helpers/rate-pacer';
import { highestSustainedRate, keptUp } from '../../helpers/sustained-rate';
import { triggerLatency } from '../../helpers/flagship-trigger-latency';

describe('flagship latency bench helpers', () => {
  describe('summarizeLatencies', () => {
    it('summarises unsorted input numerically (not as strings) and leaves it unchanged', () => {
      const values = [300, 5, 1200, 40, 90];
      const s = summarizeLatencies(values);
      assert.deepEqual(s, { count: 5, p50Ms: 90, p99Ms: 1200, maxMs: 1200 });
      assert.deepEqual(values, [300, 5, 1200, 40, 90]);
      assert.deepEqual(summarizeLatencies([]), { count: 0, p50Ms: null, p99Ms: null, maxMs: null });
    });

    it('takes the 198th of 200 samples as p99: the two slowest set only the max', () => {
      const twoSlow = [...Array.from({ length: 198 }, () => 10), 500, 9000];
      assert.deepEqual(summarizeLatencies(twoSlow), { count: 200, p50Ms: 10, p99Ms: 10, maxMs: 9000 });
      const threeSlow = [...Array.from({ length: 197 }, () => 10), 500, 600, 9000];
      assert.equal(summarizeLatencies(threeSlow).p99Ms, 500);
    });
  });

  describe('RatePacer', () => {
    it('schedules floor(elapsed·rate) events, so a window of T s holds T·rate', () => {
      const p = new RatePacer(1000, 10_000);
      assert.equal(p.due(9_000), 0);
      assert.equal(p.due(10_000), 0);
      assert.equal(p.due(10_010), 10);
      assert.equal(p.due(11_500), 1500);
      const slow = new RatePacer(100, 0);
      assert.equal(slow.due(9), 0);
      assert.equal(slow.due(10), 1);
      assert.equal(slow.due(20_000), 2000);
    });

    it('sends what is due, catches up at most maxBatch at a time, never negative', () => {
      const p = new RatePacer(20_000, 0);
      assert.equal(p.batch(0, 10, 2000), 200);
      assert.equal(p.batch(200, 10, 2000), 0);
      assert.equal(p.batch(500, 10, 2000), 0, 'ahead of schedule: nothing');
      assert.equal(p.batch(0, 1000, 2000), 2000, 'far behind: capped');
      assert.equal(p.batch(18_000, 1000, 2000), 2000);
      assert.equal(p.batch(19_500, 1000, 2000), 500);
    });

    it('says how long until the next event is due', () => {
      const p = new RatePacer(100, 1000);
      assert.equal(p.msUntilNext(0, 1000), 10);
      assert.equal(p.msUntilNext(1, 1000), 20);
      assert.equal(p.msUntilNext(1, 1500), 0);
      assert.throws(() => new RatePacer(0, 0), /positive/);
      assert.throws(() => new RatePacer(Number.NaN, 0), /positive/);
    });
  });

  describe('keptUp / highestSustainedRate', () => {
    const run = (rate: number, achievedRate: number, lagAfterDrain: number | null, p99Ms: number | null) => ({ rate, achievedRate, lagAfterDrain, p99Ms });

    it('keeps up only with ≥ 95% of the rate produced and all input committed', () => {
      assert.equal(keptUp(run(1000, 950, 0, 10)), true);
      assert.equal(keptUp(run(1000, 949, 0, 10)), false);
      assert.equal(keptUp(run(1000, 1000, 1, 10)), false);
      assert.equal(keptUp(run(1000, 1000, null, 10)), false);
    });

    it('picks the highest rate that kept up with p99 under the limit', () => {
      const outcomes = [run(100, 100, 0, 120), run(1000, 998, 0, 240), run(5000, 4990, 0, 260), run(20000, 9000, 400000, 50)];
      assert.equal(highestSustainedRate(outcomes, 250), 1000);
      assert.equal(highestSustainedRate(outcomes, 300), 5000);
      assert.equal(highestSustainedRate(outcomes, 100), null);
    });

    it('ignores runs without samples, with lag, or exactly at the limit, and does not depend on order', () => {
      assert.equal(highestSustainedRate([run(5000, 5000, 0, null), run(1000, 1000, 0, 250), run(100, 100, 0, 249)], 250), 100);
      assert.equal(highestSustainedRate([run(100, 100, 0, 10), run(5000, 5000, 3, 10), run(1000, 1000, 0, 10)], 250), 1000);
      assert.equal(highestSustainedRate([], 250), null);
    });
  });

  describe('triggerLatency', () => {
    it('subtracts the settle debounce from engagement updates only', () => {
      assert.deepEqual(triggerLatency('engagement', 1000, 3300, 2000), { rawMs: 2300, netMs: 300 });
      assert.deepEqual(triggerLatency('hide', 1000, 1080, 2000), { rawMs: 80, netMs: 80 });
      assert.deepEqual(triggerLatency('new_pin', 1000, 1450, 2000), { rawMs: 450, netMs: 450 });
    });
  });
});
