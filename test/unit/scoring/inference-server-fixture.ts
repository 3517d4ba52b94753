import * as http from 'node:http';
import * as grpc from '@grpc/grpc-js';
import type { ModelManifest } from '../../../core/scoring/model-manifest';
import type { ScoreResult, TensorData } from '../../../core/scoring/scoring-service';
import type { ServedPool } from '../../../runtime/scoring/internal/served-pool';
import { DynamicBatcher } from '../../../runtime/scoring/dynamic-batcher';
import { BatchLayout } from '../../../runtime/scoring/internal/batch-layout';
import { ScoreRequestError } from '../../../core/scoring/scoring-errors';
import { InferenceServer, type InferenceServerOptions } from '../../../runtime/scoring/inference-server';
import { inferenceService } from '../../../runtime/scoring/internal/kserve-proto';

/** A two-input model: one user row per request, item rows point at it; score = item + user. */
export const sumManifest: ModelManifest = {
  name: 'sum', version: '1', file: 'none.onnx',
  inputs: [
    { name: 'user', dtype: 'float32', dims: ['users', 1] },
    { name: 'item', dtype: 'float32', dims: ['items', 1] },
    { name: 'item_user', dtype: 'int64', dims: ['items'] },
  ],
  outputs: [{ name: 'score', dtype: 'float32', dims: ['items'] }],
  batching: { rowDim: 'items', groupDim: 'users', groupIndex: 'item_user' },
  heads: ['score'],
};

/**
 * A scoring pool over the real dynamic batcher whose "model" computes item + user in
 * JavaScript; `hold()` keeps batches from finishing until `release()`, so a test can keep
 * requests in flight or fill the queue.
 */
export class FakePool implements ServedPool {
  readonly batcher: DynamicBatcher;
  /** Batches that reached the runner. */
  started = 0;
  private held = false;
  private waiting: Array<() => void> = [];

  constructor(batching: { maxQueuedRows?: number; maxInFlight?: number } = {}) {
    this.batcher = new DynamicBatcher(new BatchLayout(sumManifest), { maxBatchRows: 8, maxDelayMs: 0, maxInFlight: batching.maxInFlight ?? 2, maxAttempts: 1, maxQueuedRows: batching.maxQueuedRows }, (inputs, rows) => this.run(inputs, rows));
  }

  hold(): void {
    this.held = true;
  }

  release(): void {
    this.held = false;
    const waiting = this.waiting;
    this.waiting = [];
    for (const w of waiting) w();
  }

  manifest(model: string): ReturnType<ServedPool['manifest']> {
    if (model !== 'sum') throw new ScoreRequestError(`no model '${model}'`);
    return { dir: '', manifestPath: '', modelPath: '', manifest: sumManifest };
  }

  score(request: { model: string; inputs: Readonly<Record<string, TensorData>> }): Promise<ScoreResult> {
    return this.batcher.submit(request.inputs);
  }

  statistics(model: string): ReturnType<ServedPool['statistics']> {
    return { version: this.manifest(model).manifest.version, ...this.batcher.statistics.snapshot() };
  }

  serving(model: string): ReturnType<ServedPool['serving']> {
    this.manifest(model);
    return { batching: this.batcher.batching, instances: 1, provider: 'cpu' };
  }

  private async run(inputs: Record<string, TensorData>, rows: number): Promise<ScoreResult> {
    this.started++;
    if (this.held) await new Promise<void>((resolve) => this.waiting.push(resolve));
    const user = inputs.user.data as Float32Array;
    const idx = inputs.item_user.data as BigInt64Array;
    const item = inputs.item.data as Float32Array;
    return { modelVersion: '1', outputs: { score: { type: 'float32', dims: [rows], data: item.map((v, i) => v + user[Number(idx[i])]) } } };
  }
}

/** Starts an inference server for the fake pool on free loopback ports, errors logged into `logged`. */
export function startServer(pool: ServedPool, options: Partial<InferenceServerOptions> = {}, logged: string[] = []): Promise<InferenceServer> {
  return InferenceServer.start(pool, ['sum'], { httpPort: 0, grpcPort: 0, log: (line) => logged.push(line), ...options });
}

/** The JSON body of an infer request for user value `u` and the given items. */
export function jsonInfer(u: number, items: number[]): Record<string, unknown> {
  return {
    inputs: [
      { name: 'user', datatype: 'FP32', shape: [1, 1], data: [u] },
      { name: 'item', datatype: 'FP32', shape: [items.length, 1], data: items },
      { name: 'item_user', datatype: 'INT64', shape: [items.length], data: items.map(() => 0) },
    ],
  };
}

/** An HTTP answer with its raw body. */
export interface HttpAnswer { status: number; headers: http.IncomingHttpHeaders; body: Buffer }

/** Sends one HTTP request to the server (a fresh connection each time) and reads the whole answer. */
export function request(server: InferenceServer, method: string, path: string, body?: Buffer | string | object, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const bytes = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.httpPort, method, path, agent: false, headers: { ...(bytes && !headers['transfer-encoding'] ? { 'content-length': String(bytes.length) } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(bytes);
  });
}

/** The `error` field of a JSON error answer. */
export function errorOf(answer: HttpAnswer): string {
  return (JSON.parse(answer.body.toString('utf8')) as { error: string }).error;
}

/** A gRPC answer: the reply or the error. */
export interface GrpcAnswer { err: grpc.ServiceError | null; reply: Record<string, unknown> | undefined }

/** A gRPC client of the protocol service; `call` never rejects, it returns the error. */
export function grpcClient(server: InferenceServer, options: grpc.ChannelOptions = {}): { call(method: string, req: object): Promise<GrpcAnswer>; close(): void } {
  const Client = inferenceService();
  const client = new Client(`127.0.0.1:${server.grpcPort}`, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': -1, ...options });
  return {
    call: (method, req) => new Promise((resolve) => {
      (client as unknown as Record<string, (r: object, cb: (err: grpc.ServiceError | null, reply?: Record<string, unknown>) => void) => void>)[method](req, (err, reply) => resolve({ err, reply }));
    }),
    close: () => client.close(),
  };
}

/** The raw little-endian bytes of a typed array. */
export function bytesOf(a: Float32Array | BigInt64Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** A gRPC infer request with raw tensors for user value `u` and the given items. */
export function grpcInfer(u: number, items: number[], model = 'sum'): Record<string, unknown> {
  return {
    model_name: model,
    inputs: [
      { name: 'user', datatype: 'FP32', shape: [1, 1] },
      { name: 'item', datatype: 'FP32', shape: [items.length, 1] },
      { name: 'item_user', datatype: 'INT64', shape: [items.length] },
    ],
    raw_input_contents: [bytesOf(Float32Array.of(u)), bytesOf(Float32Array.from(items)), bytesOf(new BigInt64Array(items.length))],
  };
}
