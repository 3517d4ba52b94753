import * as assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import type { InferenceServer } from '../../../runtime/scoring/inference-server';
import { FakePool, errorOf, grpcClient, grpcInfer, jsonInfer, request, startServer } from './inference-server-fixture';

describe('InferenceServer under overload (bounded batching queue)', () => {
  let pool: FakePool;
  let server: InferenceServer;
  let client: ReturnType<typeof grpcClient>;
  before(async () => {
    // One batch of at most 8 rows runs at a time; at most 16 rows wait.
    pool = new FakePool({ maxInFlight: 1, maxQueuedRows: 16 });
    server = await startServer(pool);
    client = grpcClient(server);
  });
  after(async () => {
    client.close();
    await server.close();
  });

  it('answers 429 / RESOURCE_EXHAUSTED at once beyond the queue depth, and serves everything it took', async () => {
    pool.hold();
    const items = [1, 2, 3, 4, 5, 6, 7, 8];
    // The first runs (held); the next two fill the queue to 16 rows.
    const taken = [request(server, 'POST', '/v2/models/sum/infer', jsonInfer(0, items))];
    while (pool.started === 0) await new Promise((r) => setImmediate(r));
    taken.push(request(server, 'POST', '/v2/models/sum/infer', jsonInfer(100, items)));
    taken.push(request(server, 'POST', '/v2/models/sum/infer', jsonInfer(200, items)));
    while (pool.batcher.load().queuedRows < 16) await new Promise((r) => setImmediate(r));
    const http = await request(server, 'POST', '/v2/models/sum/infer', jsonInfer(300, [1]));
    assert.equal(http.status, 429);
    assert.match(errorOf(http), /the batching queue is full \(16 rows waiting, at most 16\)/);
    const rpc = await client.call('ModelInfer', grpcInfer(300, [1]));
    assert.equal(rpc.err?.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.match(rpc.err!.details, /the batching queue is full/);
    pool.release();
    const answers = await Promise.all(taken);
    answers.forEach((a, i) => {
      assert.equal(a.status, 200);
      assert.deepEqual((JSON.parse(a.body.toString()) as { outputs: Array<{ data: number[] }> }).outputs[0].data, items.map((v) => v + 100 * i));
    });
  });
});
