import * as grpc from '@grpc/grpc-js';
import type { ScoreResult, TensorData } from '../../../core/scoring/scoring-service';
import { RemoteCallError, type InferenceClient, type RemoteModelMetadata } from './inference-client';
import { inferenceService } from './kserve-proto';
import { kserveDatatype, tensorBytes, tensorFromBytes, tensorFromJson } from './kserve-tensors';

type Unary = (request: object, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, reply: unknown) => void) => void;

const contentsField: Record<string, string> = { FP32: 'fp32_contents', INT64: 'int64_contents', INT32: 'int_contents', BOOL: 'bool_contents' };
/** Codes after which another endpoint may succeed. */
const unreachableCodes = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.CANCELLED, grpc.status.RESOURCE_EXHAUSTED, grpc.status.INTERNAL, grpc.status.UNKNOWN]);

/** An Open Inference Protocol client over gRPC, tensors in `raw_input_contents`. */
export class KserveGrpcClient implements InferenceClient {
  private readonly client: grpc.Client;

  constructor(readonly address: string) {
    const target = address.replace(/^grpc:\/\//, '');
    const Service = inferenceService();
    this.client = new Service(target, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': 256 * 1024 * 1024 });
  }

  async infer(model: string, inputs: Readonly<Record<string, TensorData>>, outputs: readonly string[], timeoutMs: number): Promise<ScoreResult> {
    const reply = await this.call('ModelInfer', {
      model_name: model,
      inputs: Object.entries(inputs).map(([name, t]) => ({ name, datatype: kserveDatatype[t.type], shape: t.dims })),
      outputs: outputs.map((name) => ({ name })),
      raw_input_contents: Object.values(inputs).map(tensorBytes),
    }, timeoutMs) as { model_version: string; outputs: Array<{ name: string; datatype: string; shape: number[]; contents?: Record<string, unknown[]> | null }>; raw_output_contents: Buffer[] };
    const result: Record<string, TensorData> = {};
    reply.outputs.forEach((o, i) => {
      const shape = o.shape.map(Number);
      const raw = reply.raw_output_contents[i];
      result[o.name] = raw !== undefined ? tensorFromBytes(o.name, o.datatype, shape, raw) : tensorFromJson(o.name, o.datatype, shape, o.contents?.[contentsField[o.datatype]] ?? []);
    });
    return { modelVersion: reply.model_version, outputs: result };
  }

  async modelMetadata(model: string, timeoutMs: number): Promise<RemoteModelMetadata> {
    const m = await this.call('ModelMetadata', { name: model }, timeoutMs) as { versions: string[]; inputs: Array<{ name: string; datatype: string; shape: number[] }>; outputs: Array<{ name: string; datatype: string; shape: number[] }> };
    const tensor = (t: { name: string; datatype: string; shape: number[] }) => ({ name: t.name, type: t.datatype, shape: t.shape.map(Number) });
    return { versions: m.versions, inputs: m.inputs.map(tensor), outputs: m.outputs.map(tensor) };
  }

  close(): void {
    this.client.close();
  }

  private call(method: string, request: object, timeoutMs: number): Promise<unknown> {
    const fn = (this.client as unknown as Record<string, Unary>)[method].bind(this.client);
    return new Promise((resolve, reject) => {
      fn(request, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (err, reply) => {
        if (err) reject(new RemoteCallError(`${this.address} ${method}: ${err.details || err.message}`, unreachableCodes.has(err.code)));
        else resolve(reply);
      });
    });
  }
}
