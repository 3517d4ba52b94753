import * as assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { FakePool, errorOf, grpcClient, grpcInfer, jsonInfer, request, startServer } from './inference-server-fixture';

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}

describe('InferenceServer.drain (graceful shutdown on SIGTERM)', () => {
  it('turns not ready, refuses new requests with 503 / UNAVAILABLE, lets in-flight HTTP and gRPC requests finish, then closes', async () => {
    const pool = new FakePool({ maxInFlight: 4 });
    const server = await startServer(pool);
    const client = grpcClient(server);
    try {
      pool.hold();
      const httpInFlight = request(server, 'POST', '/v2/models/sum/infer', jsonInfer(10, [1, 2]));
      const grpcInFlight = client.call('ModelInfer', grpcInfer(20, [3]));
      await until(() => server.inFlight === 2 && pool.started === 2);

      const drained = server.drain(60_000);
      assert.equal(server.ready, false);
      const ready = await request(server, 'GET', '/v2/health/ready');
      assert.equal(ready.status, 503);
      assert.equal((await request(server, 'GET', '/v2/health/live')).status, 200);
      assert.equal((await client.call('ServerReady', {})).reply?.ready, false);
      assert.equal((await client.call('ModelReady', { name: 'sum' })).reply?.ready, false);
      const refused = await request(server, 'POST', '/v2/models/sum/infer', jsonInfer(1, [1]));
      assert.equal(refused.status, 503);
      assert.match(errorOf(refused), /shutting down/);
      const refusedRpc = await client.call('ModelInfer', grpcInfer(1, [1]));
      assert.equal(refusedRpc.err?.code, grpc.status.UNAVAILABLE);
      assert.match(refusedRpc.err!.details, /shutting down/);

      pool.release();
      const [httpAnswer, grpcAnswer] = await Promise.all([httpInFlight, grpcInFlight]);
      assert.equal(httpAnswer.status, 200);
      assert.deepEqual((JSON.parse(httpAnswer.body.toString()) as { outputs: Array<{ data: number[] }> }).outputs[0].data, [11, 12]);
      assert.equal(grpcAnswer.err, null);
      assert.deepEqual(Array.from(new Float32Array(new Uint8Array((grpcAnswer.reply!.raw_output_contents as Buffer[])[0]).buffer)), [23]);
      assert.equal(await drained, 0);
      await assert.rejects(request(server, 'GET', '/v2/health/live'), /ECONNREFUSED/);
    } finally {
      pool.release();
      client.close();
      await server.close();
    }
  });

  it('cuts off what is still running at the drain timeout and says how many', async () => {
    const pool = new FakePool();
    const server = await startServer(pool);
    try {
      pool.hold();
      const stuck = request(server, 'POST', '/v2/models/sum/infer', jsonInfer(1, [1])).then(() => 'answered', (err: Error) => err.message);
      await until(() => pool.started === 1);
      assert.equal(await server.drain(50), 1);
      assert.match(await stuck, /socket hang up|ECONNRESET/);
    } finally {
      pool.release();
    }
  });
});
