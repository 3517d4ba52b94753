import * as assert from 'node:assert/strict';
import { ScoringPool } from '../../../runtime/scoring/scoring-pool';
import { InferenceServer } from '../../../runtime/scoring/inference-server';
import { KserveGrpcClient } from '../../../runtime/scoring/internal/kserve-grpc-client';
import { RemoteCallError } from '../../../runtime/scoring/internal/inference-client';
import type { TensorData } from '../../../core/scoring/scoring-service';
import { defaultRankingModelDir } from '../../../examples/home-feed/model/generate-ranking-model';
import { randomRankingRequest } from '../../../examples/home-feed/model/random-ranking-request';
import { FakePool, startServer } from './inference-server-fixture';

const model = 'home-feed-ranker';

function bytes(t: TensorData): Buffer {
  return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(p: Promise<unknown>): Promise<RemoteCallError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof RemoteCallError, `expected a RemoteCallError, got ${String(err)}`);
  return err;
}

describe('remote pool over HTTP and gRPC against an in-process inference server', function () {
  this.timeout(60_000);
  let served: ScoringPool;
  let server: InferenceServer;
  let local: ScoringPool;
  const log = (): void => {};

  before(async () => {
    served = await ScoringPool.start({ models: [defaultRankingModelDir], local: { workers: 0, providers: ['cpu'], intraOpThreads: 1, log }, log });
    server = await InferenceServer.start(served, [model], { httpPort: 0, grpcPort: 0, log });
    local = await ScoringPool.start({ models: [defaultRankingModelDir], local: { workers: 0, providers: ['cpu'], intraOpThreads: 1, log }, log });
  });
  after(async () => {
    await server.close();
    await Promise.all([served.close(), local.close()]);
  });

  for (const transport of ['http', 'grpc'] as const) {
    it(`gives over ${transport} the same output bytes as a local pool, for 1 to 256 rows`, async () => {
      const endpoint = `${transport}://127.0.0.1:${transport === 'grpc' ? server.grpcPort : server.httpPort}`;
      const remote = await ScoringPool.start({ models: [defaultRankingModelDir], remote: { endpoints: [endpoint] }, log });
      try {
        const requests = [randomRankingRequest(1, 1, 1), randomRankingRequest(2, 7, 3), randomRankingRequest(3, 32, 8)];
        // One at a time: each remote request is one batch, as it is locally, so the sums run in the same order.
        for (const [i, inputs] of requests.entries()) {
          const [got, expected] = [await remote.score({ model, inputs }), await local.score({ model, inputs })];
          assert.equal(got.modelVersion, expected.modelVersion);
          assert.deepEqual(Object.keys(got.outputs).sort(), Object.keys(expected.outputs).sort());
          for (const head of Object.keys(expected.outputs)) {
            assert.deepEqual(got.outputs[head].dims, expected.outputs[head].dims, `${i} ${head}`);
            assert.ok(bytes(got.outputs[head]).equals(bytes(expected.outputs[head])), `request ${i} head ${head}: bytes differ`);
          }
        }
      } finally {
        await remote.close();
      }
    });
  }

  it('reports the server\'s refusals through the gRPC client: NOT_FOUND with its message, not retriable elsewhere', async () => {
    const client = new KserveGrpcClient(`grpc://127.0.0.1:${server.grpcPort}`);
    try {
      const unknown = await rejection(client.infer('nope', randomRankingRequest(1, 1, 1), ['save'], 5000));
      assert.match(unknown.message, /ModelInfer: model 'nope' is not served here \(served: home-feed-ranker\)/);
      assert.equal(unknown.unreachable, false);
      const metadata = await rejection(client.modelMetadata('nope', 5000));
      assert.match(metadata.message, /ModelMetadata: model 'nope' is not served here/);
      assert.deepEqual((await client.modelMetadata(model, 5000)).versions, ['1']);
    } finally {
      client.close();
    }
  });
});

describe('KserveGrpcClient against a draining or full inference server', () => {
  const sumInputs = (u: number, items: number[]): Record<string, TensorData> => ({
    user: { type: 'float32', dims: [1, 1], data: Float32Array.of(u) },
    item: { type: 'float32', dims: [items.length, 1], data: Float32Array.from(items) },
    item_user: { type: 'int64', dims: [items.length], data: new BigInt64Array(items.length) },
  });

  it('gets UNAVAILABLE (retriable elsewhere) while draining, and the answer of the call that was in flight', async () => {
    const pool = new FakePool({ maxInFlight: 4 });
    const server = await startServer(pool);
    const client = new KserveGrpcClient(`grpc://127.0.0.1:${server.grpcPort}`);
    try {
      pool.hold();
      const inFlight = client.infer('sum', sumInputs(20, [3]), ['score'], 10_000);
      while (server.inFlight === 0 || pool.started === 0) await new Promise((r) => setTimeout(r, 5));
      const drained = server.drain(10_000);
      const refused = await rejection(client.infer('sum', sumInputs(1, [1]), ['score'], 10_000));
      assert.equal(refused.unreachable, true);
      assert.match(refused.message, /shutting down/);
      pool.release();
      assert.deepEqual(Array.from((await inFlight).outputs.score.data as Float32Array), [23]);
      assert.equal(await drained, 0);
    } finally {
      pool.release();
      client.close();
      await server.close();
    }
  });

  it('gets RESOURCE_EXHAUSTED (retriable elsewhere) when the queue is full', async () => {
    const pool = new FakePool({ maxInFlight: 1, maxQueuedRows: 2 });
    const server = await startServer(pool);
    const client = new KserveGrpcClient(`grpc://127.0.0.1:${server.grpcPort}`);
    try {
      pool.hold();
      // The first runs (held), the second fills the queue.
      const taken = [client.infer('sum', sumInputs(1, [1, 2]), ['score'], 10_000)];
      while (pool.started === 0) await new Promise((r) => setTimeout(r, 5));
      taken.push(client.infer('sum', sumInputs(1, [1, 2]), ['score'], 10_000));
      while (pool.batcher.load().queuedRows < 2) await new Promise((r) => setTimeout(r, 5));
      const refused = await rejection(client.infer('sum', sumInputs(1, [1, 2, 3]), ['score'], 10_000));
      assert.equal(refused.unreachable, true);
      assert.match(refused.message, /the batching queue is full/);
      pool.release();
      await Promise.all(taken);
    } finally {
      pool.release();
      client.close();
      await server.close();
    }
  });
});
