import { status } from '@grpc/grpc-js';
import type { ScoreResult, TensorData } from '../../../core/scoring/scoring-service';
import { RemoteCallError, type InferenceClient, type RemoteModelMetadata } from './inference-client';
import { inferenceMethods } from './kserve-proto';
import { kserveDatatype, tensorBytes, tensorFromBytes, tensorFromJson } from './kserve-tensors';
import { GrpcCallError } from './grpc-wire';
import { GrpcUnaryChannel } from './grpc-unary-client';
import { inferRequestParts } from './kserve-infer-request-parts';

const contentsField: Record<string, string> = { FP32: 'fp32_contents', INT64: 'int64_contents', INT32: 'int_contents', BOOL: 'bool_contents' };
/** Codes after which another endpoint may succeed. */
const unreachableCodes = new Set([status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.CANCELLED, status.RESOURCE_EXHAUSTED, status.INTERNAL, status.UNKNOWN]);

interface WireTensor { name: string; datatype: string; shape: number[] }
interface InferReply { model_version: string; outputs: Array<WireTensor & { contents?: Record<string, unknown[]> | null }>; raw_output_contents: Buffer[] }

/**
 * An Open Inference Protocol client over gRPC, tensors in `raw_input_contents`. Calls go
 * through a lean unary transport on `node:http2` (decision 0034); messages are encoded with
 * the proto-loader definition that grpc-js peers use.
 */
export class KserveGrpcClient implements InferenceClient {
  private readonly channel: GrpcUnaryChannel;
  private readonly methods = inferenceMethods();

  constructor(readonly address: string) {
    this.channel = new GrpcUnaryChannel(address.replace(/^grpc:\/\//, ''));
  }

  async infer(model: string, inputs: Readonly<Record<string, TensorData>>, outputs: readonly string[], timeoutMs: number): Promise<ScoreResult> {
    const message = {
      model_name: model,
      inputs: Object.entries(inputs).map(([name, t]) => ({ name, datatype: kserveDatatype[t.type], shape: t.dims })),
      outputs: outputs.map((name) => ({ name })),
    };
    const reply = await this.call('ModelInfer', inferRequestParts(this.methods.ModelInfer, message, Object.values(inputs).map(tensorBytes)), timeoutMs) as InferReply;
    const result: Record<string, TensorData> = {};
    reply.outputs.forEach((o, i) => {
      const shape = o.shape.map(Number);
      const raw = reply.raw_output_contents[i];
      result[o.name] = raw !== undefined ? tensorFromBytes(o.name, o.datatype, shape, raw) : tensorFromJson(o.name, o.datatype, shape, o.contents?.[contentsField[o.datatype]] ?? []);
    });
    return { modelVersion: reply.model_version, outputs: result };
  }

  async modelMetadata(model: string, timeoutMs: number): Promise<RemoteModelMetadata> {
    const m = await this.call('ModelMetadata', this.methods.ModelMetadata.requestSerialize({ name: model }), timeoutMs) as { versions: string[]; inputs: WireTensor[]; outputs: WireTensor[] };
    const tensor = (t: WireTensor) => ({ name: t.name, type: t.datatype, shape: t.shape.map(Number) });
    return { versions: m.versions, inputs: m.inputs.map(tensor), outputs: m.outputs.map(tensor) };
  }

  close(): void {
    this.channel.close();
  }

  /** Sends an encoded request (in parts) and decodes the reply. */
  private async call(method: string, request: Uint8Array | Uint8Array[], timeoutMs: number): Promise<unknown> {
    const { path, responseDeserialize } = this.methods[method];
    let reply: Buffer;
    try {
      reply = await this.channel.call(path, request, timeoutMs);
    } catch (err) {
      if (err instanceof GrpcCallError) throw new RemoteCallError(`${this.address} ${method}: ${err.details}`, unreachableCodes.has(err.code));
      throw err;
    }
    try {
      return responseDeserialize(reply);
    } catch (err) {
      // What grpc-js reports as INTERNAL: the peer's bytes are not the message; another endpoint may do better.
      throw new RemoteCallError(`${this.address} ${method}: the reply is not a valid ${method} response: ${(err as Error).message}`, true);
    }
  }
}
