import { strict as assert } from 'node:assert';
import { aggregateDecayedEmbedding } from '../../../operators/aggregate-decayed-embedding';
import { rec, runBatches, TestContext } from './internal/test-context';

const H = 3_600_000;
const close = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => Math.abs(x - b[i]!) < 1e-9);

describe('aggregateDecayedEmbedding operator', () => {
  it('averages vectors with older ones decayed by their half-life', async () => {
    const [out] = await runBatches(aggregateDecayedEmbedding, { store: 's', vector: 'value.v', halfLives: [H] }, [[
      rec('u', { v: [1, 0] }, 0), rec('u', { v: new Float32Array([0, 1]) }, H),
    ]]);
    assert.ok(close((out![0]!.value as Record<string, number[]>)['1h']!, [1, 0]));
    assert.ok(close((out![1]!.value as Record<string, number[]>)['1h']!, [1 / 3, 2 / 3]));
  });

  it('weights records, and a zero-weight first record yields a zero vector', async () => {
    const [out] = await runBatches(aggregateDecayedEmbedding, { store: 's', vector: 'value.v', halfLives: [H], weight: 'value.w' }, [[
      rec('u', { v: [1, 1], w: 0 }, 0), rec('u', { v: [2, 0], w: 3 }, 0), rec('u', { v: [0, 2], w: 1 }, 0),
    ]]);
    assert.deepEqual(out!.map((r) => (r.value as Record<string, number[]>)['1h']), [[0, 0], [2, 0], [1.5, 0.5]]);
  });

  it('sends a vector of the wrong dimension to the error policy and keeps the state', async () => {
    const ctx = new TestContext();
    const [out] = await runBatches(aggregateDecayedEmbedding, { store: 's', vector: 'value.v', halfLives: [H] }, [[
      rec('u', { v: [1, 0] }, 0), rec('u', { v: [1, 0, 0] }, 1), rec('u', { v: 'x' }, 1), rec('u', { v: [1, 0] }, 2),
    ]], ctx);
    assert.equal(ctx.failed.length, 2);
    assert.match(String(ctx.failed[0]!.error), /3 dimensions/);
    assert.equal(out!.length, 2);
  });
});
