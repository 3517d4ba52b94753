import * as assert from 'node:assert/strict';
import { DynamicBatcher, type BatchEvent } from '../../../runtime/scoring/dynamic-batcher';
import { BatchLayout } from '../../../runtime/scoring/internal/batch-layout';
import type { ModelManifest } from '../../../core/scoring/model-manifest';
import type { TensorData } from '../../../core/scoring/scoring-service';
import { ScoringOverloadedError, WorkerUnavailableError } from '../../../core/scoring/scoring-errors';

// A two-input model: one user row per request, rows point at it by index.
const manifest: ModelManifest = {
  name: 'sum', version: '1', file: 'none.onnx',
  inputs: [
    { name: 'user', dtype: 'float32', dims: ['users', 1] },
    { name: 'item', dtype: 'float32', dims: ['items', 1] },
    { name: 'item_user', dtype: 'int64', dims: ['items'] },
  ],
  outputs: [{ name: 'score', dtype: 'float32', dims: ['items'] }],
  batching: { rowDim: 'items', groupDim: 'users', groupIndex: 'item_user' },
  heads: ['score'],
};

function request(user: number, items: number[]): Record<string, TensorData> {
  return {
    user: { type: 'float32', dims: [1, 1], data: Float32Array.of(user) },
    item: { type: 'float32', dims: [items.length, 1], data: Float32Array.from(items) },
    item_user: { type: 'int64', dims: [items.length], data: new BigInt64Array(items.length) },
  };
}

/** Stands in for a worker: score = user[item_user] + item, as a model would compute it. */
function runner(batches: number[], fail: { left: number } = { left: 0 }) {
  return async (inputs: Record<string, TensorData>, rows: number) => {
    batches.push(rows);
    await new Promise((r) => setTimeout(r, 1));
    if (fail.left-- > 0) throw new WorkerUnavailableError('worker died');
    const user = inputs.user.data as Float32Array;
    const idx = inputs.item_user.data as BigInt64Array;
    const item = inputs.item.data as Float32Array;
    return { modelVersion: '1', outputs: { score: { type: 'float32' as const, dims: [rows], data: item.map((v, i) => v + user[Number(idx[i])]) } } };
  };
}

describe('DynamicBatcher', () => {
  it('merges requests into batches of at most maxBatchRows, shifting the group index', async () => {
    const batches: number[] = [];
    const batcher = new DynamicBatcher(new BatchLayout(manifest), { maxBatchRows: 8, maxDelayMs: 5, maxInFlight: 1, maxAttempts: 1 }, runner(batches));
    const results = await Promise.all(Array.from({ length: 20 }, (_, u) => batcher.submit(request(u * 100, [1, 2, 3]))));
    results.forEach((r, u) => assert.deepEqual(Array.from(r.outputs.score.data as Float32Array), [u * 100 + 1, u * 100 + 2, u * 100 + 3]));
    assert.ok(batches.every((rows) => rows <= 8), `batches ${batches}`);
    assert.equal(batches.reduce((a, b) => a + b, 0), 60);
    assert.ok(batches.length < 20, `requests were merged (${batches.length} batches)`);
  });

  it('cuts a request larger than maxBatchRows into parts and joins their outputs in order', async () => {
    const batches: number[] = [];
    const batcher = new DynamicBatcher(new BatchLayout(manifest), { maxBatchRows: 4, maxDelayMs: 1, maxInFlight: 2, maxAttempts: 1 }, runner(batches));
    const items = Array.from({ length: 10 }, (_, i) => i);
    const result = await batcher.submit(request(1000, items));
    assert.deepEqual(Array.from(result.outputs.score.data as Float32Array), items.map((i) => 1000 + i));
    assert.deepEqual(batches.sort(), [2, 4, 4]);
  });

  it('sends a lone request after maxDelayMs without waiting for a full batch', async () => {
    const batches: number[] = [];
    const batcher = new DynamicBatcher(new BatchLayout(manifest), { maxBatchRows: 1000, maxDelayMs: 20, maxInFlight: 1, maxAttempts: 1 }, runner(batches));
    const started = Date.now();
    await batcher.submit(request(0, [1]));
    const waited = Date.now() - started;
    assert.ok(waited >= 19, `waited ${waited} ms`);
    assert.deepEqual(batches, [1]);
  });

  it('with maxDelayMs 0, sends what is waiting at once: one batch for the requests of one turn, none held back for more', async () => {
    const batches: number[] = [];
    const batcher = new DynamicBatcher(new BatchLayout(manifest), { maxBatchRows: 1000, maxDelayMs: 0, maxInFlight: 1, maxAttempts: 1 }, runner(batches));
    await Promise.all([batcher.submit(request(0, [1])), batcher.submit(request(1, [1, 2]))]);
    assert.deepEqual(batches, [3]);
    // A lone request is not held for a batch that will not fill (the runner itself waits about 1 ms).
    const lone = batcher.submit(request(2, [1]));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(batches, [3, 1]);
    await lone;
  });

  it('while every lane is busy, batches what arrives meanwhile into the next batch', async () => {
    const batches: number[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    const run = runner(batches);
    // The first batch is held until every later request has arrived, however slow the machine.
    const batcher = new DynamicBatcher(new BatchLayout(manifest), { maxBatchRows: 1000, maxDelayMs: 0, maxInFlight: 1, maxAttempts: 1 },
      async (inputs, rows) => { if (batches.length === 0) await held; return run(inputs, rows); });
    const first = batcher.submit(request(0, [1]));
    await new Promise((r) => setImmediate(r));
    const later = [batcher.submit(request(1, [1])), batcher.submit(request(2, [1, 2]))];
    await new Promise((r) => setImmediate(r));
    const last = batcher.submit(request(3, [1]));
    await new Promise((r) => setImmediate(r));
    release();
    await Promise.all([first, ...later, last]);
    assert.deepEqual(batches, [1, 4]);
  });

  it('counts requests, queue time, rows and batches as Triton statistics do', async () => {
    const batcher = new DynamicBatcher(new BatchLayout(manifest), { maxBatchRows: 4, maxDelayMs: 0, maxInFlight: 1, maxAttempts: 1 }, runner([]));
    await Promise.all([batcher.submit(request(0, [1, 2])), batcher.submit(request(1, [1])), batcher.submit(request(2, [1, 2, 3]))]);
    await assert.rejects(batcher.submit(request(3, [])));
    const s = batcher.statistics.snapshot();
    assert.equal(s.success.count, 3);
    assert.equal(s.fail.count, 1);
    assert.equal(s.inferenceCount, 6, 'rows');
    assert.equal(s.executionCount, 2, 'batches: 2 + 1 rows, then 3');
    assert.equal(s.queue.count, 3);
    assert.equal(s.computeInfer.count, 3, 'each request counts its batch');
    assert.ok(s.computeInfer.ns > 0 && s.success.ns >= s.queue.ns, JSON.stringify(s));
    assert.deepEqual(s.batches.map((b) => [b.batchSize, b.computeInfer.count]), [[3, 2]]);
    assert.ok(s.lastInference > 0);
  });

  it('rebuilds and retries a batch whose backend failed with a retriable error', async () => {
    const batches: number[] = [];
    const events: BatchEvent[] = [];
    const batcher = new DynamicBatcher(new BatchLayout(manifest), { maxBatchRows: 8, maxDelayMs: 1, maxInFlight: 1, maxAttempts: 3 }, runner(batches, { left: 2 }), (e) => events.push(e));
    const result = await batcher.submit(request(5, [1, 2]));
    assert.deepEqual(Array.from(result.outputs.score.data as Float32Array), [6, 7]);
    assert.deepEqual(events.map((e) => [e.attempt, e.error !== undefined]), [[1, true], [2, true], [3, false]]);
  });

  it('rejects a request that does not match the manifest, naming the input', async () => {
    const batcher = new DynamicBatcher(new BatchLayout(manifest), { maxBatchRows: 8, maxDelayMs: 1, maxInFlight: 1, maxAttempts: 1 }, runner([]));
    const bad = { ...request(1, [1]), item: { type: 'int32' as const, dims: [1, 1], data: Int32Array.of(1) } };
    await assert.rejects(batcher.submit(bad), /input 'item' is int32, the manifest says float32/);
    const badIndex = { ...request(1, [1]), item_user: { type: 'int64' as const, dims: [1], data: BigInt64Array.of(3n) } };
    await assert.rejects(batcher.submit(badIndex), /item_user\[0\] = 3 is outside 0..0/);
  });

  it('refuses at once, with a retriable ScoringOverloadedError, a request that would queue more than maxQueuedRows', async () => {
    const batches: number[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    const slow = runner(batches);
    const batcher = new DynamicBatcher(new BatchLayout(manifest), { maxBatchRows: 4, maxDelayMs: 0, maxInFlight: 1, maxAttempts: 1, maxQueuedRows: 6 },
      async (inputs, rows) => { await held; return slow(inputs, rows); });
    const running = batcher.submit(request(0, [1, 2, 3, 4]));
    // Batches leave at the end of the event loop's turn; after it the first request runs (held).
    await new Promise((r) => setImmediate(r));
    const queued = [batcher.submit(request(10, [1, 2, 3])), batcher.submit(request(20, [1, 2, 3]))];
    assert.equal(batcher.load().queuedRows, 6);
    await assert.rejects(batcher.submit(request(30, [1])), (err: Error) => err instanceof ScoringOverloadedError && err.retriable
      && /the batching queue is full \(6 rows waiting, at most 6\)/.test(err.message));
    release();
    const results = await Promise.all([running, ...queued]);
    assert.deepEqual(results.map((r) => Array.from(r.outputs.score.data as Float32Array)), [[1, 2, 3, 4], [11, 12, 13], [21, 22, 23]]);
    // Once the queue has drained, requests are taken again.
    assert.deepEqual(Array.from((await batcher.submit(request(30, [1]))).outputs.score.data as Float32Array), [31]);
  });

  it('takes a request larger than maxQueuedRows when nothing waits (it could never be served otherwise)', async () => {
    const batcher = new DynamicBatcher(new BatchLayout(manifest), { maxBatchRows: 4, maxDelayMs: 0, maxInFlight: 1, maxAttempts: 1, maxQueuedRows: 2 }, runner([]));
    const result = await batcher.submit(request(0, [1, 2, 3, 4, 5, 6]));
    assert.deepEqual(Array.from(result.outputs.score.data as Float32Array), [1, 2, 3, 4, 5, 6]);
  });
});
