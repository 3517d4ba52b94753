import * as assert from 'node:assert/strict';
import type { InferenceServer } from '../../../runtime/scoring/inference-server';
import { FakePool, errorOf, grpcClient, grpcInfer, jsonInfer, request, startServer } from './inference-server-fixture';

interface Duration { count: number; ns: number }
interface Stats {
  name: string; version: string; last_inference: number; inference_count: number; execution_count: number;
  inference_stats: Record<'success' | 'fail' | 'queue' | 'compute_input' | 'compute_infer' | 'compute_output', Duration>;
  batch_stats: Array<{ batch_size: number; compute_infer: Duration }>;
}

describe('Triton model configuration, statistics and repository index (HTTP and gRPC)', () => {
  let pool: FakePool;
  let server: InferenceServer;
  const logged: string[] = [];
  before(async () => {
    pool = new FakePool({ maxQueuedRows: 100 });
    server = await startServer(pool, {}, logged);
  });
  after(() => server.close());

  it('answers HEAD on the health routes and model readiness with the status and no body', async () => {
    for (const path of ['/v2/health/live', '/v2/health/ready', '/v2/models/sum/ready']) {
      const answer = await request(server, 'HEAD', path);
      assert.equal(answer.status, 200, path);
      assert.equal(answer.body.length, 0, path);
    }
    assert.equal((await request(server, 'HEAD', '/v2/models/nope/ready')).status, 404);
  });

  it('gives the model configuration in Triton\'s fields, the same over both transports', async () => {
    const answer = await request(server, 'GET', '/v2/models/sum/config');
    assert.equal(answer.status, 200);
    const config = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
    assert.equal(config.name, 'sum');
    assert.equal(config.platform, 'onnxruntime_onnx');
    assert.equal(config.max_batch_size, 0);
    assert.deepEqual(config.input, [
      { name: 'user', data_type: 'TYPE_FP32', format: 'FORMAT_NONE', dims: [-1, 1] },
      { name: 'item', data_type: 'TYPE_FP32', format: 'FORMAT_NONE', dims: [-1, 1] },
      { name: 'item_user', data_type: 'TYPE_INT64', format: 'FORMAT_NONE', dims: [-1] },
    ]);
    assert.deepEqual(config.output, [{ name: 'score', data_type: 'TYPE_FP32', dims: [-1] }]);
    assert.deepEqual(config.instance_group, [{ name: 'sum_0', kind: 'KIND_CPU', count: 1 }]);
    assert.equal((config.parameters as Record<string, { string_value: string }>)['tributary.max_batch_rows'].string_value, '8');
    assert.equal((await request(server, 'GET', '/v2/models/sum/versions/1/config')).status, 200);
    assert.match(errorOf(await request(server, 'GET', '/v2/models/sum/versions/2/config')), /model 'sum' has no version '2' here/);

    const grpc = grpcClient(server);
    try {
      const { err, reply } = await grpc.call('ModelConfig', { name: 'sum' });
      assert.equal(err, null);
      const c = reply!.config as Record<string, unknown>;
      assert.equal(c.name, 'sum');
      assert.equal(c.max_batch_size, 0);
      assert.deepEqual((c.input as Array<{ name: string; data_type: string; dims: number[] }>).map((i) => [i.name, i.data_type, i.dims.map(Number)]),
        [['user', 'TYPE_FP32', [-1, 1]], ['item', 'TYPE_FP32', [-1, 1]], ['item_user', 'TYPE_INT64', [-1]]]);
      assert.equal((await grpc.call('ModelConfig', { name: 'nope' })).err?.details, "model 'nope' is not served here (served: sum)");
    } finally {
      grpc.close();
    }
  });

  it('counts requests, rows, batches, queue and compute time; /v2/models/stats is every model, not a model named "stats"', async () => {
    const before = (JSON.parse((await request(server, 'GET', '/v2/models/sum/stats')).body.toString('utf8')) as { model_stats: Stats[] }).model_stats[0];
    assert.equal(before.inference_count, 0);
    await Promise.all([request(server, 'POST', '/v2/models/sum/infer', jsonInfer(1, [1, 2])), request(server, 'POST', '/v2/models/sum/infer', jsonInfer(2, [1, 2, 3]))]);
    const bad = jsonInfer(1, [1, 2]);
    (bad.inputs as Array<Record<string, unknown>>)[1].shape = [3, 1];
    assert.equal((await request(server, 'POST', '/v2/models/sum/infer', bad)).status, 400);

    const all = await request(server, 'GET', '/v2/models/stats');
    assert.equal(all.status, 200);
    const stats = (JSON.parse(all.body.toString('utf8')) as { model_stats: Stats[] }).model_stats;
    assert.deepEqual(stats.map((s) => [s.name, s.version]), [['sum', '1']]);
    const s = stats[0];
    assert.equal(s.inference_count, 5, 'rows');
    assert.ok(s.execution_count >= 1 && s.execution_count <= 2, `batches: ${s.execution_count}`);
    assert.equal(s.inference_stats.success.count, 2);
    assert.equal(s.inference_stats.queue.count, 2);
    assert.equal(s.inference_stats.compute_infer.count, 2);
    assert.ok(s.inference_stats.success.ns >= s.inference_stats.queue.ns);
    assert.equal(s.batch_stats.reduce((n, b) => n + b.batch_size * b.compute_infer.count, 0), 5);
    assert.ok(s.last_inference > 0);

    const grpc = grpcClient(server);
    try {
      assert.equal((await grpc.call('ModelInfer', grpcInfer(1, [1, 2, 3, 4]))).err, null);
      const one = await grpc.call('ModelStatistics', { name: 'sum' });
      assert.equal(one.err, null);
      const g = (one.reply!.model_stats as Stats[])[0];
      assert.equal(Number(g.inference_count), 9);
      assert.equal(Number(g.inference_stats.success.count), 3);
      const every = await grpc.call('ModelStatistics', { name: '' });
      assert.deepEqual((every.reply!.model_stats as Stats[]).map((x) => x.name), ['sum']);
      assert.equal((await grpc.call('ModelStatistics', { name: 'sum', version: '7' })).err?.code, 5);
    } finally {
      grpc.close();
    }
  });

  it('lists the served models as READY in the repository index (empty body, as tritonclient sends, or {"ready": true})', async () => {
    for (const body of [undefined, { ready: true }]) {
      const answer = await request(server, 'POST', '/v2/repository/index', body);
      assert.equal(answer.status, 200);
      assert.deepEqual(JSON.parse(answer.body.toString('utf8')), [{ name: 'sum', version: '1', state: 'READY', reason: '' }]);
    }
    assert.match(errorOf(await request(server, 'POST', '/v2/repository/index', { ready: 'yes' })), /ready: expected true or false, got the string "yes"/);
    const grpc = grpcClient(server);
    try {
      const { err, reply } = await grpc.call('RepositoryIndex', {});
      assert.equal(err, null);
      assert.deepEqual(reply!.models, [{ name: 'sum', version: '1', state: 'READY', reason: '' }]);
    } finally {
      grpc.close();
    }
  });

  it('logged only the refusals', () => {
    assert.deepEqual(logged.filter((line) => !/^(HTTP (400|404)|gRPC \w+ (NOT_FOUND|INVALID_ARGUMENT)) /.test(line)), []);
  });
});
