import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { ScoringPool } from '../../../runtime/scoring/scoring-pool';
import { ConfigError } from '../../../core/errors';
import { runSession } from '../../../runtime/scoring/internal/onnx-session';
import type { TensorData } from '../../../core/scoring/scoring-service';
import { defaultRankingModelDir } from '../../../examples/home-feed/model/generate-ranking-model';
import { randomRankingRequest } from '../../../examples/home-feed/model/random-ranking-request';
import { startWorkerProcess, type WorkerProcess } from './worker-process';

const model = 'home-feed-ranker';
const bin = path.resolve(__dirname, '..', '..', '..', '..', 'bin', 'tributary.js');

function assertClose(actual: TensorData, expected: TensorData, label: string): void {
  assert.deepEqual(actual.dims, expected.dims, label);
  (expected.data as Float32Array).forEach((e, i) => assert.ok(Math.abs((actual.data as Float32Array)[i] - e) <= 1e-5, `${label}[${i}]`));
}

describe('remote scoring through tributary worker (Open Inference Protocol)', function () {
  this.timeout(120_000);
  let session: ort.InferenceSession;
  const workers: WorkerProcess[] = [];

  before(async () => {
    session = await ort.InferenceSession.create(path.join(defaultRankingModelDir, 'model.onnx'));
    workers.push(await startWorkerProcess(['--model', defaultRankingModelDir, '--intra-op-threads', '1']));
    workers.push(await startWorkerProcess(['--model', defaultRankingModelDir, '--intra-op-threads', '1']));
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
  });

  for (const transport of ['http', 'grpc'] as const) {
    it(`scores over ${transport} equal to session.run, tagged with the model version`, async () => {
      const pool = await ScoringPool.start({ models: [defaultRankingModelDir], remote: { endpoints: [workers[0][transport]] }, batching: { maxBatchRows: 64, maxDelayMs: 2 } });
      try {
        const requests = Array.from({ length: 10 }, (_, i) => randomRankingRequest(40 + i, 10 + i * 7));
        const results = await Promise.all(requests.map((inputs) => pool.score({ model, inputs })));
        for (let i = 0; i < requests.length; i++) {
          const expected = await runSession(session, requests[i]);
          assert.equal(results[i].modelVersion, '1');
          for (const head of ['click', 'save', 'closeup', 'hide']) assertClose(results[i].outputs[head], expected[head], `${transport} ${i} ${head}`);
        }
      } finally {
        await pool.close();
      }
    });
  }

  it('routes around a worker that stops answering (SIGSTOP) and spreads over the others', async () => {
    const pool = await ScoringPool.start({
      models: [defaultRankingModelDir],
      remote: { endpoints: [workers[0].http, workers[1].grpc], timeoutMs: 500, ejectMs: 60_000 },
      batching: { maxBatchRows: 32, maxDelayMs: 1 },
    });
    try {
      // Both serve while both answer.
      await Promise.all(Array.from({ length: 8 }, (_, i) => pool.score({ model, inputs: randomRankingRequest(i, 30) })));
      workers[1].child.kill('SIGSTOP');
      const requests = Array.from({ length: 12 }, (_, i) => randomRankingRequest(900 + i, 20));
      const results = await Promise.all(requests.map((inputs) => pool.score({ model, inputs })));
      for (let i = 0; i < requests.length; i++) assertClose(results[i].outputs.save, (await runSession(session, requests[i])).save, `request ${i}`);
      const states = pool.remote!.endpointStates();
      assert.equal(states[1].ejected, true, JSON.stringify(states));
      assert.equal(states[0].ejected, false, JSON.stringify(states));
    } finally {
      workers[1].child.kill('SIGCONT');
      await pool.close();
    }
  });

  it('falls back to local CPU workers when no remote endpoint answers', async () => {
    const silent = net.createServer(() => { /* accepts, never answers */ });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as net.AddressInfo).port;
    const pool = await ScoringPool.start({
      models: [defaultRankingModelDir],
      remote: { endpoints: [`http://127.0.0.1:${port}`, 'grpc://127.0.0.1:1'], timeoutMs: 300 },
      local: { workers: 1, providers: ['cpu'], log: () => {} },
      batching: { maxBatchRows: 32, maxDelayMs: 1 },
    });
    try {
      const inputs = randomRankingRequest(77, 25);
      const result = await pool.score({ model, inputs });
      assertClose(result.outputs.hide, (await runSession(session, inputs)).hide, 'fallback');
    } finally {
      await pool.close();
      silent.close();
    }
  });

  it('refuses at start a remote model whose metadata does not match the manifest', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-remote-manifest-'));
    fs.copyFileSync(path.join(defaultRankingModelDir, 'model.onnx'), path.join(dir, 'model.onnx'));
    const manifest = JSON.parse(fs.readFileSync(path.join(defaultRankingModelDir, 'manifest.json'), 'utf8'));
    manifest.inputs[3].dims = ['users', 16];
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    await assert.rejects(ScoringPool.start({ models: [dir], remote: { endpoints: [workers[0].grpc] } }),
      (err: Error) => err instanceof ConfigError && /input 'interest' has shape \[-1, 32\] in the model, \[users, 16\] in the manifest/.test(err.message));
  });

  it('tributary worker exports the provider in use and batch sizes on Prometheus /metrics', async () => {
    const w = await startWorkerProcess(['--model', defaultRankingModelDir, '--metrics-port', '0']);
    try {
      assert.ok(w.metrics, 'ready line names the metrics endpoint');
      const pool = await ScoringPool.start({ models: [defaultRankingModelDir], remote: { endpoints: [w.grpc] } });
      await pool.score({ model, inputs: randomRankingRequest(5, 17) });
      await pool.close();
      const text = await (await fetch(w.metrics!)).text();
      assert.match(text, /tributary_scoring_provider\{[^}]*provider="cpu"[^}]*\} 1/);
      assert.match(text, /tributary_scoring_rows[^ ]*\{[^}]*model="home-feed-ranker"[^}]*\} 17/);
    } finally {
      await w.stop();
    }
  });

  it('tributary worker exits 1 (wrong input) with a one-line error for a bad model file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-worker-bad-'));
    fs.copyFileSync(path.join(defaultRankingModelDir, 'manifest.json'), path.join(dir, 'manifest.json'));
    fs.writeFileSync(path.join(dir, 'model.onnx'), Buffer.from([1, 2, 3, 4]));
    const r = spawnSync(process.execPath, [bin, 'worker', '--model', dir, '--port', '0'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 1);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /^tributary: model .*model\.onnx could not be loaded by any execution provider \(cpu: /);
  });
});
