import * as assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { ScoringPool } from '../../runtime/scoring/scoring-pool';
import { runSession } from '../../runtime/scoring/internal/onnx-session';
import { kserveDatatype } from '../../runtime/scoring/internal/kserve-tensors';
import { loadModelManifest } from '../../core/scoring/model-manifest';
import type { TensorData } from '../../core/scoring/scoring-service';
import { defaultRankingModelDir } from '../../examples/home-feed/model/generate-ranking-model';
import { randomRankingRequest } from '../../examples/home-feed/model/random-ranking-request';
import { startWorkerProcess, type WorkerProcess } from '../integration/scoring/worker-process';
import { freePort } from '../helpers/free-port';

/** Source folder of the Python side (tsc compiles this file into dist/test/interop). */
const interopDir = path.resolve(__dirname, '..', '..', '..', 'test', 'interop');
const python = process.env.TRIBUTARY_INTEROP_PYTHON ?? path.join(interopDir, '.venv', 'bin', 'python');
const model = 'home-feed-ranker';
const heads = ['click', 'save', 'closeup', 'hide'];

function assertClose(actual: Float32Array, expected: Float32Array, label: string): void {
  assert.equal(actual.length, expected.length, label);
  expected.forEach((e, i) => assert.ok(Math.abs(actual[i] - e) <= 1e-5, `${label}[${i}]: ${actual[i]} vs ${e}`));
}


function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    http.get(url, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on('error', () => resolve(0));
  });
}

describe('Open Inference Protocol interop with peers nobody here wrote', function () {
  this.timeout(240_000);
  let session: ort.InferenceSession;
  const inputs = randomRankingRequest(2024, 40, 3);
  let expected: Record<string, TensorData>;

  before(async function () {
    // Separate interpreters: tritonclient and mlserver both register the protocol's protobuf names.
    const check = [spawnSync(python, ['-c', 'import tritonclient.http, tritonclient.grpc'], { encoding: 'utf8' }), spawnSync(python, ['-c', 'import mlserver, onnxruntime'], { encoding: 'utf8' })]
      .find((r) => r.status !== 0);
    if (check) {
      throw new Error(`interop needs a Python with tritonclient[http,grpc], mlserver and onnxruntime at ${python} (set TRIBUTARY_INTEROP_PYTHON or run: `
        + `python3 -m venv test/interop/.venv && test/interop/.venv/bin/pip install 'tritonclient[http,grpc]' mlserver onnxruntime numpy): ${check.stderr || check.error?.message}`);
    }
    session = await ort.InferenceSession.create(path.join(defaultRankingModelDir, 'model.onnx'));
    expected = await runSession(session, inputs);
  });

  describe('tritonclient (PyPI) → tributary worker', () => {
    let worker: WorkerProcess;
    before(async () => {
      worker = await startWorkerProcess(['--model', defaultRankingModelDir]);
    });
    after(() => worker?.stop());

    /** Writes the inputs as raw files and a spec the Python checks read; returns the spec's path and its folder. */
    function writeSpec(): { dir: string; spec: string } {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-triton-'));
      const spec = {
        model,
        http: worker.http.replace('http://', ''),
        grpc: worker.grpc.replace('grpc://', ''),
        outdir: dir,
        outputs: heads,
        inputs: Object.entries(inputs).map(([name, t]) => {
          const file = path.join(dir, `${name}.bin`);
          fs.writeFileSync(file, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
          return { name, datatype: kserveDatatype[t.type], shape: t.dims, file };
        }),
      };
      fs.writeFileSync(path.join(dir, 'spec.json'), JSON.stringify(spec));
      return { dir, spec: path.join(dir, 'spec.json') };
    }

    function assertOutputs(dir: string, variant: string): void {
      for (const head of heads) {
        const got = new Float32Array(new Uint8Array(fs.readFileSync(path.join(dir, `${variant}-${head}.bin`))).buffer);
        assertClose(got, expected[head].data as Float32Array, `${variant} ${head}`);
      }
    }

    it('gets the scores session.run gives over HTTP (binary and JSON tensors) and gRPC', () => {
      const { dir, spec } = writeSpec();
      const r = spawnSync(python, [path.join(interopDir, 'triton_client_check.py'), spec], { encoding: 'utf8', timeout: 120_000 });
      assert.equal(r.status, 0, r.stderr);
      const summary = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, { server: string; model_inputs: string[]; model_version: string }>;
      for (const variant of ['http-binary', 'http-json', 'grpc']) {
        assert.equal(summary[variant].server, 'tributary');
        assert.equal(summary[variant].model_version, '1');
        assert.deepEqual(summary[variant].model_inputs, loadModelManifest(defaultRankingModelDir).manifest.inputs.map((i) => i.name));
        assertOutputs(dir, variant);
      }
    });

    it('compresses requests and answers (gzip, deflate) and serves only the model version it holds, as Triton does', () => {
      const { dir, spec } = writeSpec();
      const r = spawnSync(python, [path.join(interopDir, 'triton_edge_check.py'), spec], { encoding: 'utf8', timeout: 120_000 });
      assert.equal(r.status, 0, r.stderr);
      type Refusal = { status: string; message: string } | null;
      const summary = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, string | boolean | Refusal>;
      for (const variant of ['http-gzip-binary', 'http-gzip-json', 'http-deflate-binary', 'http-deflate-json', 'grpc-gzip', 'grpc-deflate']) {
        assert.equal(summary[variant], '1', variant);
        assertOutputs(dir, variant);
      }
      assert.equal(summary['http-ready-v1'], true);
      assert.equal(summary['http-ready-v9'], false);
      assert.equal(summary['grpc-ready-v1'], true);
      assert.equal(summary['grpc-ready-v9'], false);
      assert.equal(summary['http-infer-v1'], '1');
      const refused: Array<[string, string, RegExp]> = [
        ['http-infer-v99', '404', /model 'home-feed-ranker' has no version '99' here \(serving version 1\)/],
        ['http-metadata-v9', '404', /model 'home-feed-ranker' has no version '9' here/],
        ['http-unknown-model', '404', /model 'no-such-model' is not served here \(served: home-feed-ranker\)/],
        ['grpc-infer-v99', 'StatusCode.NOT_FOUND', /model 'home-feed-ranker' has no version '99' here \(serving version 1\)/],
        ['grpc-metadata-v9', 'StatusCode.NOT_FOUND', /model 'home-feed-ranker' has no version '9' here/],
        ['grpc-unknown-model', 'StatusCode.NOT_FOUND', /model 'no-such-model' is not served here \(served: home-feed-ranker\)/],
      ];
      for (const [key, status, message] of refused) {
        const got = summary[key] as Refusal;
        assert.ok(got, `${key} was refused`);
        assert.equal(got.status, status, key);
        assert.match(got.message, message, key);
      }
    });

    it('gives tritonclient the model config, statistics that count each request and row, and the repository index (HTTP and gRPC)', async () => {
      const runs = 3;
      const { spec: specPath } = writeSpec();
      fs.writeFileSync(specPath, JSON.stringify({ ...JSON.parse(fs.readFileSync(specPath, 'utf8')) as object, runs }));
      const r = spawnSync(python, [path.join(interopDir, 'triton_model_info_check.py'), specPath], { encoding: 'utf8', timeout: 120_000 });
      assert.equal(r.status, 0, r.stderr);
      type Counters = Record<string, number | string>;
      const summary = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
      const manifest = loadModelManifest(defaultRankingModelDir).manifest;
      const rows = inputs[manifest.inputs.find((i) => i.dims[0] === manifest.batching.rowDim)!.name].dims[0];
      for (const transport of ['http', 'grpc']) {
        const before = summary[`${transport}-stats-before`] as Counters;
        const after = summary[`${transport}-stats-after`] as Counters;
        assert.equal(after.name, model);
        assert.equal(after.version, '1');
        assert.equal(Number(after.success_count) - Number(before.success_count), runs, `${transport}: requests`);
        assert.equal(Number(after.queue_count) - Number(before.queue_count), runs, `${transport}: queue entries`);
        assert.equal(Number(after.inference_count) - Number(before.inference_count), runs * rows, `${transport}: rows`);
        const batches = Number(after.execution_count) - Number(before.execution_count);
        assert.ok(batches >= 1 && batches <= runs, `${transport}: ${batches} batches`);
        assert.ok(Number(after.compute_infer_ns) > Number(before.compute_infer_ns), `${transport}: compute time grew`);
        assert.ok(Number(after.success_ns) - Number(before.success_ns) >= Number(after.queue_ns) - Number(before.queue_ns), `${transport}: a request lasts at least its queue wait`);
        assert.ok(Number(after.last_inference) >= Date.now() - 120_000, `${transport}: last_inference is a recent time in ms`);
        assert.deepEqual(summary[`${transport}-stats-all`], [model], `${transport}: /v2/models/stats lists every model (and no model named "stats")`);
        const config = summary[`${transport}-config`] as { name: string; platform: string; max_batch_size: number; inputs: unknown[]; outputs: unknown[] };
        assert.equal(config.name, model);
        assert.equal(config.platform, 'onnxruntime_onnx');
        assert.equal(config.max_batch_size, 0);
        const dims = (t: (typeof manifest.inputs)[number]) => t.dims.map((d) => (typeof d === 'number' ? d : -1));
        assert.deepEqual(config.inputs, manifest.inputs.map((t) => [t.name, `TYPE_${kserveDatatype[t.dtype]}`, dims(t)]));
        assert.deepEqual(config.outputs, manifest.outputs.map((t) => [t.name, `TYPE_${kserveDatatype[t.dtype]}`, dims(t)]));
        const index = summary[`${transport}-index`] as Array<{ name: string; version: string; state: string }>;
        assert.deepEqual(index.map((m) => [m.name, m.version, m.state]), [[model, '1', 'READY']]);
      }
      for (const route of ['/v2/health/live', '/v2/health/ready']) {
        const status = await new Promise<number>((resolve, reject) => {
          http.request(`${worker.http}${route}`, { method: 'HEAD' }, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on('error', reject).end();
        });
        assert.equal(status, 200, `HEAD ${route}`);
      }
    });
  });

  describe('Tributary pool client → Seldon MLServer (PyPI)', () => {
    let mlserver: ChildProcess | undefined;
    let httpPort = 0;
    let grpcPort = 0;
    let stderr = '';

    before(async () => {
      const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-mlserver-'));
      [httpPort, grpcPort] = [await freePort(), await freePort()];
      const metricsPort = await freePort();
      fs.writeFileSync(path.join(repo, 'settings.json'), JSON.stringify({ host: '127.0.0.1', http_port: httpPort, grpc_port: grpcPort, metrics_port: metricsPort, parallel_workers: 0, load_models_at_startup: true }));
      const modelDir = path.join(repo, model);
      fs.mkdirSync(modelDir);
      const manifest = loadModelManifest(defaultRankingModelDir).manifest;
      const tensor = (t: (typeof manifest.inputs)[number]) => ({ name: t.name, datatype: kserveDatatype[t.dtype], shape: t.dims.map((d) => (typeof d === 'number' ? d : -1)) });
      fs.writeFileSync(path.join(modelDir, 'model-settings.json'), JSON.stringify({
        name: model,
        implementation: 'mlserver_onnx_runtime.OnnxRuntimeModel',
        inputs: manifest.inputs.map(tensor),
        outputs: manifest.outputs.map(tensor),
        parameters: { uri: path.join(defaultRankingModelDir, 'model.onnx'), version: 'mlserver-1' },
      }));
      mlserver = spawn(path.join(path.dirname(python), 'mlserver'), ['start', repo], {
        env: { ...process.env, PYTHONPATH: interopDir },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      mlserver.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
      const deadline = Date.now() + 180_000;
      while ((await httpStatus(`http://127.0.0.1:${httpPort}/v2/models/${model}/ready`)) !== 200) {
        if (mlserver.exitCode !== null) throw new Error(`mlserver exited with ${mlserver.exitCode}: ${stderr}`);
        if (Date.now() > deadline) throw new Error(`mlserver was not ready in 180 s: ${stderr}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    });
    after(async () => {
      if (mlserver && mlserver.exitCode === null) {
        const exited = new Promise((r) => mlserver!.once('exit', r));
        mlserver.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (mlserver.exitCode === null) mlserver.kill('SIGKILL');
      }
    });

    for (const transport of ['grpc', 'http'] as const) {
      it(`gets the outputs of the model MLServer serves over ${transport}, metadata checked against the manifest`, async () => {
        const endpoint = `${transport}://127.0.0.1:${transport === 'grpc' ? grpcPort : httpPort}`;
        const pool = await ScoringPool.start({ models: [defaultRankingModelDir], remote: { endpoints: [endpoint], timeoutMs: 10_000 }, batching: { maxBatchRows: 256, maxDelayMs: 1 } });
        try {
          const result = await pool.score({ model, inputs });
          assert.equal(result.modelVersion, 'mlserver-1');
          for (const head of heads) assertClose(result.outputs[head].data as Float32Array, expected[head].data as Float32Array, `mlserver ${transport} ${head}`);
        } finally {
          await pool.close();
        }
      });
    }
  });
});
