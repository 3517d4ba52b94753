import { strict as assert } from 'node:assert';
import { aggregateDecayedCount } from '../../../operators/aggregate-decayed-count';
import { rec, runBatches, TestContext } from './internal/test-context';
import { stepProblems } from './internal/step-problems';

const H = 3_600_000;

describe('aggregateDecayedCount operator', () => {
  it('emits nothing and writes nothing for an empty batch', async () => {
    const ctx = new TestContext();
    const [out] = await runBatches(aggregateDecayedCount, { store: 's', halfLives: [H] }, [[]], ctx);
    assert.deepEqual(out, []);
    assert.equal(ctx.keyValueStore('s').size(), 0);
  });

  it('halves a count after one half-life and keeps one total per half-life and name', async () => {
    const [out] = await runBatches(aggregateDecayedCount, { store: 's', halfLives: [H, 24 * H], by: 'value.action' }, [[
      rec('u', { action: 'click' }, 0), rec('u', { action: 'click' }, H), rec('u', { action: 'save' }, H),
    ]]);
    const last = out![2]!.value as { counts: Record<string, Record<string, number>>; updatedAt: number };
    assert.equal(last.updatedAt, H);
    assert.equal(last.counts.click!['1h'], 1.5);
    assert.ok(Math.abs(last.counts.click!['1d']! - (1 + Math.pow(2, -1 / 24))) < 1e-12);
    assert.deepEqual(last.counts.save, { '1h': 1, '1d': 1 });
  });

  it('gives the same totals whatever the arrival order (late records decay their own increment)', async () => {
    const events = [rec('u', {}, 0), rec('u', {}, 2 * H), rec('u', {}, H)];
    const [inOrder] = await runBatches(aggregateDecayedCount, { store: 's', halfLives: [H] }, [[events[0]!, events[2]!, events[1]!]]);
    const [outOfOrder] = await runBatches(aggregateDecayedCount, { store: 's', halfLives: [H] }, [events]);
    const a = inOrder!.at(-1)!.value as { counts: { count: Record<string, number> } };
    const b = outOfOrder!.at(-1)!.value as { counts: { count: Record<string, number> } };
    assert.ok(Math.abs(a.counts.count['1h']! - 1.75) < 1e-12);
    assert.ok(Math.abs(b.counts.count['1h']! - 1.75) < 1e-12);
  });

  it('continues from the stored state after a restart, reading each batch with one getMany', async () => {
    const ctx = new TestContext();
    await runBatches(aggregateDecayedCount, { store: 's', halfLives: [H] }, [[rec('u', {}, 0), rec('v', {}, 0)]], ctx);
    const [out] = await runBatches(aggregateDecayedCount, { store: 's', halfLives: [H] }, [[rec('u', {}, H), rec('v', {}, H)]], ctx);
    assert.deepEqual(out!.map((r) => (r.value as { counts: { count: Record<string, number> } }).counts.count['1h']), [1.5, 1.5]);
    assert.equal(ctx.keyValueStore('s').getManyCalls, 2);
  });

  it('sends a record without a counter name to the error policy and keeps going', async () => {
    const ctx = new TestContext();
    const [out] = await runBatches(aggregateDecayedCount, { store: 's', halfLives: [H], by: 'value.action', into: 'features' }, [[
      rec('u', {}, 0), rec('u', { action: 'hide' }, 1),
    ]], ctx);
    assert.equal(ctx.failed.length, 1);
    assert.equal(out!.length, 1);
    assert.equal((out![0]!.value as { action: string }).action, 'hide');
    assert.ok((out![0]!.value as { features: unknown }).features);
  });

  it('rejects a zero half-life and an empty list at validate', () => {
    const problems = (halfLives: string) => stepProblems(['- id: s', `  aggregate-decayed-count: { store: s, halfLives: ${halfLives} }`], ['s']);
    assert.deepEqual(problems('[1h, 0]'), ['steps.s.halfLives[1] must be a positive duration, found number 0']);
    assert.deepEqual(problems('[]'), ['aggregate-decayed-count: halfLives must name at least one half-life']);
  });
});
