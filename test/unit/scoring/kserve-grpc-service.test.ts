import * as assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import type { InferenceServer } from '../../../runtime/scoring/inference-server';
import { FakePool, bytesOf, grpcClient, grpcInfer, startServer } from './inference-server-fixture';

describe('Open Inference Protocol over gRPC (kserveGrpcHandlers)', () => {
  let server: InferenceServer;
  let client: ReturnType<typeof grpcClient>;
  const logged: string[] = [];
  before(async () => {
    server = await startServer(new FakePool(), { maxRequestBytes: 64 * 1024 }, logged);
    client = grpcClient(server);
  });
  after(async () => {
    client.close();
    await server.close();
  });

  it('answers infer with raw tensors', async () => {
    const { err, reply } = await client.call('ModelInfer', grpcInfer(10, [1, 2]));
    assert.equal(err, null);
    const raw = (reply!.raw_output_contents as Buffer[])[0];
    assert.deepEqual(Array.from(new Float32Array(new Uint8Array(raw).buffer)), [11, 12]);
  });

  it('answers NOT_FOUND with a message naming the served models for an unknown model (infer and metadata)', async () => {
    for (const [method, req] of [['ModelInfer', grpcInfer(1, [1], 'nope')], ['ModelMetadata', { name: 'nope' }]] as const) {
      const { err } = await client.call(method, req);
      assert.equal(err?.code, grpc.status.NOT_FOUND, method);
      assert.match(err!.details, /model 'nope' is not served here \(served: sum\)/, method);
    }
  });

  it('serves only the version it holds: NOT_FOUND for another version, not ready for it', async () => {
    const infer = await client.call('ModelInfer', { ...grpcInfer(1, [1]), model_version: '99' });
    assert.equal(infer.err?.code, grpc.status.NOT_FOUND);
    assert.match(infer.err!.details, /model 'sum' has no version '99' here \(serving version 1\)/);
    const metadata = await client.call('ModelMetadata', { name: 'sum', version: '9' });
    assert.equal(metadata.err?.code, grpc.status.NOT_FOUND);
    assert.equal((await client.call('ModelReady', { name: 'sum', version: '9' })).reply?.ready, false);
    assert.equal((await client.call('ModelReady', { name: 'sum', version: '1' })).reply?.ready, true);
    assert.equal((await client.call('ModelReady', { name: 'sum', version: '' })).reply?.ready, true);
    assert.equal((await client.call('ModelInfer', { ...grpcInfer(1, [1]), model_version: '1' })).err, null);
  });

  it('refuses extra raw buffers with INVALID_ARGUMENT, as Triton does', async () => {
    const req = grpcInfer(1, [1]);
    (req.raw_input_contents as Buffer[]).push(bytesOf(Float32Array.of(7)));
    const { err } = await client.call('ModelInfer', req);
    assert.equal(err?.code, grpc.status.INVALID_ARGUMENT);
    assert.match(err!.details, /raw_input_contents has 4 entries for 3 inputs/);
  });

  it('refuses an unknown extra input with INVALID_ARGUMENT', async () => {
    const req = grpcInfer(1, [1]);
    (req.inputs as object[]).push({ name: 'extra', datatype: 'FP32', shape: [1] });
    (req.raw_input_contents as Buffer[]).push(bytesOf(Float32Array.of(7)));
    const { err } = await client.call('ModelInfer', req);
    assert.equal(err?.code, grpc.status.INVALID_ARGUMENT);
    assert.match(err!.details, /unexpected inference input 'extra' for model 'sum'/);
  });

  it('refuses typed contents of the wrong length with a message naming the input', async () => {
    const { err } = await client.call('ModelInfer', {
      model_name: 'sum',
      inputs: [
        { name: 'user', datatype: 'FP32', shape: [1, 1], contents: { fp32_contents: [1] } },
        { name: 'item', datatype: 'FP32', shape: [2, 1], contents: { fp32_contents: [1] } },
        { name: 'item_user', datatype: 'INT64', shape: [2], contents: { int64_contents: [0, 0] } },
      ],
    });
    assert.equal(err?.code, grpc.status.INVALID_ARGUMENT);
    assert.match(err!.details, /tensor 'item' of shape \[2, 1\] needs 2 values, got 1/);
  });

  it('answers RESOURCE_EXHAUSTED to a message over the request size limit', async () => {
    const items = Array.from({ length: 20_000 }, () => 1);
    const { err } = await client.call('ModelInfer', grpcInfer(1, items));
    assert.equal(err?.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.ok(err!.details.length > 0);
  });

  it('answers RESOURCE_EXHAUSTED to a gzip message that decompresses past the limit (no zip bombs)', async () => {
    // grpc.default_compression_algorithm 2 is gzip in grpc-js's numbering.
    const gzipClient = grpcClient(server, { 'grpc.default_compression_algorithm': 2 });
    try {
      const small = await gzipClient.call('ModelInfer', grpcInfer(1, [1, 2]));
      assert.equal(small.err, null);
      const { err } = await gzipClient.call('ModelInfer', grpcInfer(0, Array.from({ length: 20_000 }, () => 0)));
      assert.equal(err?.code, grpc.status.RESOURCE_EXHAUSTED);
      assert.match(err!.details, /decompresses to a size larger than 65536/);
    } finally {
      gzipClient.close();
    }
  });

  it('logged each refusal in one line with its code and reason, and no internal error', () => {
    assert.deepEqual(logged.filter((line) => !/^gRPC \w+ (INVALID_ARGUMENT|NOT_FOUND|RESOURCE_EXHAUSTED) from \S+: /.test(line)), []);
    assert.ok(logged.some((line) => /^gRPC ModelInfer NOT_FOUND from \S+: model 'sum' has no version '99' here/.test(line)), logged.join('\n'));
  });
});
