import * as grpc from '@grpc/grpc-js';
import type { ScoringPool } from '../scoring-pool';
import type { TensorData } from '../../../core/scoring/scoring-service';
import { kserveDatatype, tensorBytes, tensorFromBytes, tensorFromJson } from './kserve-tensors';
import { modelMetadata, serverMetadata } from './kserve-metadata';

interface InferInput { name: string; datatype: string; shape: number[]; contents?: Record<string, unknown[]> | null }
interface InferRequest { model_name: string; model_version: string; id: string; inputs: InferInput[]; outputs: Array<{ name: string }>; raw_input_contents: Buffer[] }

const contentsField: Record<string, string> = { FP32: 'fp32_contents', INT64: 'int64_contents', INT32: 'int_contents', BOOL: 'bool_contents' };

/**
 * Handlers of `inference.GRPCInferenceService` over a scoring pool. Inputs are
 * read from `raw_input_contents` (or typed `contents`); outputs always go out
 * as `raw_output_contents`, which every protocol client reads.
 */
export function kserveGrpcHandlers(pool: ScoringPool, models: readonly string[]): grpc.UntypedServiceImplementation {
  const known = (name: string): grpc.ServiceError | null =>
    models.includes(name) ? null : Object.assign(new Error(`model '${name}' is not served here (served: ${models.join(', ')})`), { code: grpc.status.NOT_FOUND, details: '', metadata: new grpc.Metadata() });
  const unary = <Q, R>(fn: (request: Q) => Promise<R> | R): grpc.handleUnaryCall<Q, R> => (call, callback) => {
    Promise.resolve().then(() => fn(call.request)).then(
      (reply) => callback(null, reply),
      (err: grpc.ServiceError & { retriable?: boolean }) => callback(typeof err.code === 'number' ? err : {
        code: err.retriable === true ? grpc.status.UNAVAILABLE : grpc.status.INVALID_ARGUMENT,
        details: err.message, message: err.message, name: 'Error', metadata: new grpc.Metadata(),
      }),
    );
  };
  return {
    ServerLive: unary(() => ({ live: true })),
    ServerReady: unary(() => ({ ready: true })),
    ModelReady: unary((r: { name: string }) => ({ ready: models.includes(r.name) })),
    ServerMetadata: unary(() => serverMetadata()),
    ModelMetadata: unary((r: { name: string }) => {
      const err = known(r.name);
      if (err) throw err;
      return modelMetadata(pool.manifest(r.name).manifest);
    }),
    ModelInfer: unary(async (r: InferRequest) => {
      const err = known(r.model_name);
      if (err) throw err;
      const inputs: Record<string, TensorData> = {};
      r.inputs.forEach((input, i) => {
        const shape = input.shape.map(Number);
        const raw = r.raw_input_contents[i];
        inputs[input.name] = raw !== undefined
          ? tensorFromBytes(input.datatype, shape, raw)
          : tensorFromJson(input.datatype, shape, input.contents?.[contentsField[input.datatype]] ?? []);
      });
      const result = await pool.score({ model: r.model_name, inputs });
      const names = r.outputs.length > 0 ? r.outputs.map((o) => o.name) : Object.keys(result.outputs);
      const tensors = names.map((name) => {
        const t = result.outputs[name];
        if (!t) throw new Error(`model '${r.model_name}' has no output '${name}'`);
        return { name, t };
      });
      return {
        model_name: r.model_name,
        model_version: result.modelVersion,
        id: r.id,
        outputs: tensors.map(({ name, t }) => ({ name, datatype: kserveDatatype[t.type], shape: t.dims })),
        raw_output_contents: tensors.map(({ t }) => tensorBytes(t)),
      };
    }),
  };
}
