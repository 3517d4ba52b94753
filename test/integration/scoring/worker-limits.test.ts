import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as ort from 'onnxruntime-node';
import { runSession } from '../../../runtime/scoring/internal/onnx-session';
import { inferenceService } from '../../../runtime/scoring/internal/kserve-proto';
import { defaultRankingModelDir } from '../../../examples/home-feed/model/generate-ranking-model';
import { randomRankingRequest } from '../../../examples/home-feed/model/random-ranking-request';
import { startWorkerProcess, type WorkerProcess } from './worker-process';
import { grpcInfer, httpInfer } from './kserve-requests';

describe('tributary worker limits (--max-queue-rows, --max-request-bytes)', function () {
  this.timeout(120_000);
  let worker: WorkerProcess;
  let client: grpc.Client;
  before(async () => {
    // Requests wait 3 s for a batch no request fills, so the queue holds everything sent meanwhile.
    worker = await startWorkerProcess(['--model', defaultRankingModelDir, '--intra-op-threads', '1', '--max-batch-rows', '100000', '--max-delay-ms', '3000',
      '--max-queue-rows', '1000', '--max-request-bytes', '200000']);
    client = new (inferenceService())(worker.grpc.replace('grpc://', ''), grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': -1 });
  });
  after(async () => {
    client?.close();
    await worker?.stop();
  });

  it('takes what fits the queue, answers the rest 429 / RESOURCE_EXHAUSTED at once, and scores what it took correctly', async () => {
    const session = await ort.InferenceSession.create(path.join(defaultRankingModelDir, 'model.onnx'));
    // 400 rows each: two fit in 1,000 queued rows, the other four are refused.
    const requests = Array.from({ length: 6 }, (_, i) => randomRankingRequest(500 + i, 400));
    const answers = await Promise.all(requests.map((inputs, i) => (i % 2 === 0
      ? httpInfer(worker.http, inputs).then((a) => ({ ok: a.status === 200, overloaded: a.status === 429, save: a.save, error: a.error }))
      : grpcInfer(client, inputs).then((a) => ({ ok: a.code === grpc.status.OK, overloaded: a.code === grpc.status.RESOURCE_EXHAUSTED, save: a.save, error: a.error })))));
    assert.equal(answers.filter((a) => a.ok).length, 2, JSON.stringify(answers.map((a) => a.error)));
    assert.equal(answers.filter((a) => a.overloaded).length, 4, JSON.stringify(answers.map((a) => a.error)));
    for (let i = 0; i < answers.length; i++) {
      if (!answers[i].ok) {
        assert.match(answers[i].error!, /the batching queue is full \(\d+ rows waiting, at most 1000\)/);
        continue;
      }
      const expected = (await runSession(session, requests[i])).save.data as Float32Array;
      expected.forEach((e, j) => assert.ok(Math.abs(answers[i].save![j] - e) <= 1e-5, `request ${i} save[${j}]`));
    }
  });

  it('answers 413 / RESOURCE_EXHAUSTED to a request over --max-request-bytes', async () => {
    const big = randomRankingRequest(7, 2000);
    const http = await httpInfer(worker.http, big);
    assert.equal(http.status, 413, http.error);
    assert.match(http.error!, /larger than the limit of 200000 bytes/);
    const rpc = await grpcInfer(client, big);
    assert.equal(rpc.code, grpc.status.RESOURCE_EXHAUSTED, rpc.error);
  });
});
