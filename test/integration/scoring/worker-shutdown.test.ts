import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as ort from 'onnxruntime-node';
import { runSession } from '../../../runtime/scoring/internal/onnx-session';
import { inferenceService } from '../../../runtime/scoring/internal/kserve-proto';
import { defaultRankingModelDir } from '../../../examples/home-feed/model/generate-ranking-model';
import { randomRankingRequest } from '../../../examples/home-feed/model/random-ranking-request';
import { startWorkerProcess } from './worker-process';
import { grpcInfer, httpInfer } from './kserve-requests';

const bin = path.resolve(__dirname, '..', '..', '..', '..', 'bin', 'tributary.js');

describe('tributary worker shutdown and flags', function () {
  this.timeout(120_000);

  it('on SIGTERM turns not ready, refuses new requests and answers every request in flight (HTTP and gRPC), then exits 0', async () => {
    // A long batching delay and a batch no request fills keep requests waiting in the worker for seconds.
    const worker = await startWorkerProcess(['--model', defaultRankingModelDir, '--intra-op-threads', '1', '--max-batch-rows', '100000', '--max-delay-ms', '4000', '--drain-timeout-ms', '60000']);
    let stdout = '';
    worker.child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
    const exited = new Promise<number | null>((resolve) => worker.child.once('exit', (code) => resolve(code)));
    const client = new (inferenceService())(worker.grpc.replace('grpc://', ''), grpc.credentials.createInsecure());
    try {
      const session = await ort.InferenceSession.create(path.join(defaultRankingModelDir, 'model.onnx'));
      const requests = Array.from({ length: 6 }, (_, i) => randomRankingRequest(300 + i, 500));
      const http = requests.slice(0, 3).map((inputs) => httpInfer(worker.http, inputs));
      const rpc = requests.slice(3).map((inputs) => grpcInfer(client, inputs));
      // Give the requests time to reach the worker (they then wait there for the 4 s batching delay).
      await new Promise((r) => setTimeout(r, 1_500));
      worker.child.kill('SIGTERM');
      let ready = 200;
      while (ready === 200) ready = (await fetch(`${worker.http}/v2/health/ready`)).status;
      assert.equal(ready, 503);
      const refused = await httpInfer(worker.http, randomRankingRequest(1, 3));
      assert.equal(refused.status, 503, refused.error);
      assert.match(refused.error!, /shutting down/);

      const answers = [...await Promise.all(http), ...await Promise.all(rpc)];
      for (let i = 0; i < answers.length; i++) {
        const a = answers[i] as { status?: number; code?: number; save?: Float32Array; error?: string };
        assert.ok(a.status === 200 || a.code === grpc.status.OK, `request ${i}: ${JSON.stringify(a)}`);
        const expected = (await runSession(session, requests[i])).save.data as Float32Array;
        expected.forEach((e, j) => assert.ok(Math.abs(a.save![j] - e) <= 1e-5, `request ${i} save[${j}]`));
      }
      assert.equal(await exited, 0);
      assert.match(stdout, /SIGTERM: draining 6 requests in flight \(at most 60000 ms\)/);
      assert.match(stdout, /drained; exiting/);
    } finally {
      client.close();
      await worker.stop();
    }
  });

  it('refuses a port out of range at once, with one line, before loading the model', () => {
    const r = spawnSync(process.execPath, [bin, 'worker', '--model', '/nonexistent-model-dir', '--port', '70000'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 2, 'a usage error');
    assert.equal(r.stderr.trim(), "error: option '--port <n>' argument '70000' is invalid. Expected an integer from 0 to 65535.");
  });

  it('documents the limits, the endpoints and what SIGTERM does in --help', () => {
    const r = spawnSync(process.execPath, [bin, 'worker', '--help'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    for (const text of ['--max-request-bytes <n>', '(default: 67108864)', '--max-queue-rows <n>', '(default: 65536)', '--drain-timeout-ms <n>', '(default: 30000)', 'SIGTERM', '/v2/models/NAME[/versions/V]/infer', '429 / RESOURCE_EXHAUSTED']) {
      assert.ok(r.stdout.includes(text), `--help mentions ${text}:\n${r.stdout}`);
    }
  });
});
