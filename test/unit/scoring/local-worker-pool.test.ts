import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { ScoringPool } from '../../../runtime/scoring/scoring-pool';
import { ConfigError } from '../../../core/errors';
import { runSession } from '../../../runtime/scoring/internal/onnx-session';
import { defaultRankingModelDir, writeRankingModel } from '../../../examples/home-feed/model/generate-ranking-model';
import { randomRankingRequest } from '../../../examples/home-feed/model/random-ranking-request';
import type { TensorData } from '../../../core/scoring/scoring-service';

const model = 'home-feed-ranker';

function assertClose(actual: TensorData, expected: TensorData, label: string): void {
  assert.deepEqual(actual.dims, expected.dims, label);
  const a = actual.data as Float32Array;
  const e = expected.data as Float32Array;
  for (let i = 0; i < e.length; i++) assert.ok(Math.abs(a[i] - e[i]) <= 1e-5, `${label}[${i}]: ${a[i]} vs ${e[i]}`);
}

describe('ScoringPool with local worker threads', function () {
  this.timeout(60_000);
  let session: ort.InferenceSession;
  const logs: string[] = [];

  before(async () => {
    session = await ort.InferenceSession.create(path.join(defaultRankingModelDir, 'model.onnx'));
  });

  it('returns the scores session.run gives on the same inputs, with batches within the limits', async () => {
    const batches: number[] = [];
    const pool = await ScoringPool.start({
      models: [defaultRankingModelDir],
      local: { workers: 2, providers: ['cpu'], intraOpThreads: 1, log: (l) => logs.push(l) },
      batching: { maxBatchRows: 64, maxDelayMs: 3 },
      onBatch: (_m, e) => batches.push(e.rows),
    });
    try {
      const requests = Array.from({ length: 24 }, (_, i) => randomRankingRequest(i, 5 + (i % 4) * 20));
      const results = await Promise.all(requests.map((inputs) => pool.score({ model, inputs })));
      for (let i = 0; i < requests.length; i++) {
        const expected = await runSession(session, requests[i]);
        assert.equal(results[i].modelVersion, '1');
        for (const head of ['click', 'save', 'closeup', 'hide']) assertClose(results[i].outputs[head], expected[head], `request ${i} ${head}`);
      }
      assert.ok(batches.length > 0 && batches.every((rows) => rows <= 64), `batches ${batches}`);
      assert.ok(batches.length < requests.length, `requests were merged (${batches.length} batches for ${requests.length})`);
      assert.ok(logs.some((l) => /runs on execution provider 'cpu'/.test(l)), logs.join('\n'));
    } finally {
      await pool.close();
    }
  });

  it('falls back to the next execution provider when one is not available', async () => {
    const lines: string[] = [];
    const pool = await ScoringPool.start({ models: [defaultRankingModelDir], local: { workers: 1, providers: ['tensorrt', 'cpu'], log: (l) => lines.push(l) } });
    try {
      assert.deepEqual(pool.local!.providersInUse(model), ['cpu']);
      const r = await pool.score({ model, inputs: randomRankingRequest(3, 10) });
      assert.deepEqual(r.outputs.save.dims, [10]);
    } finally {
      await pool.close();
    }
  });

  it('replaces a worker that dies and retries its batch on a live one', async () => {
    const lines: string[] = [];
    const attempts: number[] = [];
    const pool = await ScoringPool.start({
      models: [defaultRankingModelDir],
      local: { workers: 2, providers: ['cpu'], intraOpThreads: 1, log: (l) => lines.push(l) },
      batching: { maxBatchRows: 32, maxDelayMs: 0 },
      onBatch: (_m, e) => attempts.push(e.attempt),
    });
    try {
      const requests = Array.from({ length: 8 }, (_, i) => randomRankingRequest(100 + i, 30));
      const pending = requests.map((inputs) => pool.score({ model, inputs }));
      // Both workers hold batches now; end them as a crash would.
      await new Promise((r) => setImmediate(r));
      await pool.local!.killWorker(0);
      const results = await Promise.all(pending);
      for (let i = 0; i < requests.length; i++) {
        const expected = await runSession(session, requests[i]);
        assertClose(results[i].outputs.save, expected.save, `request ${i}`);
      }
      assert.equal(pool.local!.replaced, 1);
      assert.ok(attempts.some((a) => a > 1), `some batch was retried (attempts ${attempts})`);
      assert.ok(lines.some((l) => /scoring worker 0 exited.*replacement/.test(l)), lines.join('\n'));
      // The replacement serves.
      for (let i = 0; i < 100 && pool.local!.providersInUse(model).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal(pool.local!.providersInUse(model).length, 2);
    } finally {
      await pool.close();
    }
  });

  it('fails at start with a clear error for a model file that is not ONNX', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-bad-model-'));
    fs.copyFileSync(path.join(defaultRankingModelDir, 'manifest.json'), path.join(dir, 'manifest.json'));
    fs.writeFileSync(path.join(dir, 'model.onnx'), 'this is not a model');
    await assert.rejects(
      ScoringPool.start({ models: [dir], local: { workers: 1, providers: ['cpu'] } }),
      (err: Error) => err instanceof ConfigError && err.message.includes(path.join(dir, 'model.onnx')) && /could not be loaded/.test(err.message),
    );
  });

  it('fails at start naming the input when the model does not match its manifest', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-bad-manifest-'));
    fs.copyFileSync(path.join(defaultRankingModelDir, 'model.onnx'), path.join(dir, 'model.onnx'));
    const manifest = JSON.parse(fs.readFileSync(path.join(defaultRankingModelDir, 'manifest.json'), 'utf8'));
    manifest.inputs[5].dims = ['candidates', 64];
    manifest.inputs[0].dtype = 'int32';
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    await assert.rejects(
      ScoringPool.start({ models: [dir], local: { workers: 1, providers: ['cpu'] } }),
      (err: Error) => err instanceof ConfigError
        && err.message.includes("input 'candidates' has shape [candidates, 32] in the model, [candidates, 64] in the manifest")
        && err.message.includes("input 'seq_actions' is int64 in the model, int32 in the manifest"),
    );
  });

  it('hot-reloads a new model version without losing batches in flight, tagging outputs with their version', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-reload-'));
    writeRankingModel(dir, { version: '1' });
    const pool = await ScoringPool.start({ models: [dir], local: { workers: 2, providers: ['cpu'], intraOpThreads: 1, log: () => {} }, batching: { maxBatchRows: 16, maxDelayMs: 1 }, log: () => {} });
    try {
      const inputs = randomRankingRequest(7, 12);
      const before = pool.score({ model, inputs });
      const v1 = await ort.InferenceSession.create(path.join(dir, 'model.onnx'));
      const expected1 = await runSession(v1, inputs);
      writeRankingModel(dir, { version: '2', seed: 4242 });
      // Touch the manifest's time in case the file system's clock granularity hides the change.
      fs.utimesSync(path.join(dir, 'manifest.json'), new Date(), new Date(Date.now() + 5000));
      const during = Array.from({ length: 6 }, () => pool.score({ model, inputs }));
      assert.deepEqual(await pool.checkForNewVersions(), [`${model}@2`]);
      const after = await pool.score({ model, inputs });
      const r0 = await before;
      assert.equal(r0.modelVersion, '1');
      assertClose(r0.outputs.save, expected1.save, 'v1');
      for (const r of await Promise.all(during)) assert.ok(['1', '2'].includes(r.modelVersion));
      assert.equal(after.modelVersion, '2');
      const v2 = await ort.InferenceSession.create(path.join(dir, 'model.onnx'));
      assertClose(after.outputs.save, (await runSession(v2, inputs)).save, 'v2');
    } finally {
      await pool.close();
    }
  });

  it('with workers: 0, scores on the calling thread what session.run gives, and hot-reloads there', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-inline-'));
    writeRankingModel(dir, { version: '1' });
    const lines: string[] = [];
    const pool = await ScoringPool.start({ models: [dir], local: { workers: 0, providers: ['cpu'], intraOpThreads: 1, log: (l) => lines.push(l) }, log: () => {} });
    try {
      assert.deepEqual(pool.local!.providersInUse(model), ['cpu']);
      assert.ok(lines.some((l) => /runs on execution provider 'cpu' on the event-loop thread/.test(l)), lines.join('\n'));
      const requests = Array.from({ length: 6 }, (_, i) => randomRankingRequest(i, 3 + i));
      const results = await Promise.all(requests.map((inputs) => pool.score({ model, inputs })));
      for (let i = 0; i < requests.length; i++) assertClose(results[i].outputs.click, (await runSession(session, requests[i])).click, `request ${i}`);
      writeRankingModel(dir, { version: '2', seed: 4242 });
      fs.utimesSync(path.join(dir, 'manifest.json'), new Date(), new Date(Date.now() + 5000));
      assert.deepEqual(await pool.checkForNewVersions(), [`${model}@2`]);
      const after = await pool.score({ model, inputs: requests[0] });
      assert.equal(after.modelVersion, '2');
      const v2 = await ort.InferenceSession.create(path.join(dir, 'model.onnx'));
      assertClose(after.outputs.save, (await runSession(v2, requests[0])).save, 'v2');
    } finally {
      await pool.close();
    }
  });
});
