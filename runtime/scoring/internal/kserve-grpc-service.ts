import { status as grpcStatus } from '@grpc/grpc-js';
import type { TensorData } from '../../../core/scoring/scoring-service';
import type { ServedPool } from './served-pool';
import type { RequestGate } from './request-gate';
import { kserveDatatype, tensorBytes, tensorFromBytes, tensorFromJson } from './kserve-tensors';
import { modelMetadata, repositoryIndex, serverMetadata } from './kserve-metadata';
import { modelConfig } from './kserve-model-config';
import { modelStatistics } from './kserve-statistics';
import { ProtocolError, classify, grpcError } from './kserve-errors';
import { checkTensorNames } from './kserve-tensor-names';
import { servedModel } from './kserve-model-lookup';
import { inferenceMethods } from './kserve-proto';
import { GrpcCallError } from './grpc-wire';
import type { UnaryMethod } from './grpc-unary-server';

interface InferInput { name: string; datatype: string; shape: number[]; contents?: Record<string, unknown[]> | null }
interface InferRequest { model_name: string; model_version: string; id: string; inputs: InferInput[]; outputs: Array<{ name: string }>; raw_input_contents: Buffer[] }

const grpcStatusName: Record<number, string> = Object.fromEntries(Object.entries(grpcStatus).map(([k, v]) => [v, k]));

const contentsField: Record<string, string> = { FP32: 'fp32_contents', INT64: 'int64_contents', INT32: 'int_contents', BOOL: 'bool_contents' };

/** What the gRPC handlers need besides the pool. */
export interface GrpcHandlerOptions {
  readonly gate: RequestGate;
  /** Where refused requests (one line each, no tensor data) and errors that are bugs here are written. */
  readonly log: (line: string) => void;
}

function invalid(message: string): never {
  throw new ProtocolError('invalid', message);
}

function hasContents(input: InferInput): boolean {
  return Object.values(input.contents ?? {}).some((list) => Array.isArray(list) && list.length > 0);
}

/** The input tensors of a gRPC infer request, from `raw_input_contents` (all inputs) or typed `contents`. */
function decodeInputs(r: InferRequest): Record<string, TensorData> {
  const raw = r.raw_input_contents;
  // The protocol's rule: raw contents hold one entry per input or none, and never sit beside typed contents (MLServer refuses both the same way).
  if (raw.length > 0 && raw.length !== r.inputs.length) {
    invalid(`raw_input_contents has ${raw.length} entries for ${r.inputs.length} inputs: give one per input, in the order of inputs`);
  }
  const inputs: Record<string, TensorData> = {};
  r.inputs.forEach((input, i) => {
    const shape = input.shape.map(Number);
    if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) invalid(`input '${input.name}': shape [${shape.join(', ')}] must hold non-negative integers`);
    if (raw.length > 0) {
      if (hasContents(input)) invalid(`input '${input.name}': contents must be empty when raw_input_contents is used`);
      inputs[input.name] = tensorFromBytes(input.name, input.datatype, shape, raw[i]);
    } else {
      inputs[input.name] = tensorFromJson(input.name, input.datatype, shape, input.contents?.[contentsField[input.datatype]] ?? []);
    }
  });
  return inputs;
}

/**
 * Handlers of `inference.GRPCInferenceService` over a scoring pool, keyed by call path, for
 * the unary gRPC server. Inputs are read from `raw_input_contents` (or typed `contents`);
 * outputs always go out as `raw_output_contents`, which every protocol client reads. Every
 * error carries its message. Messages are (de)coded with the proto-loader definition, so
 * handlers see the same objects grpc-js would hand them.
 */
export function kserveGrpcHandlers(pool: ServedPool, models: readonly string[], options: GrpcHandlerOptions): Map<string, UnaryMethod> {
  const { gate } = options;
  const methods = inferenceMethods();
  const handlers = new Map<string, UnaryMethod>();
  const unary = <Q, R>(name: string, fn: (request: Q) => Promise<R> | R, admit = true): void => {
    const { path, requestDeserialize, responseSerialize } = methods[name];
    handlers.set(path, async (bytes, call) => {
      let request: Q;
      try {
        request = requestDeserialize(bytes) as Q;
      } catch (err) {
        throw new GrpcCallError(grpcStatus.INTERNAL, `the request is not a valid ${name} message: ${(err as Error).message}`);
      }
      let entered = false;
      try {
        if (admit) {
          gate.enter();
          entered = true;
        }
        return responseSerialize(await fn(request) as object);
      } catch (err) {
        const { kind, message } = classify(err);
        const error = grpcError(err);
        if (kind === 'internal') options.log(`gRPC ${name}: ${(err as Error)?.stack ?? String(err)}`);
        else if (kind === 'invalid' || kind === 'not_found' || kind === 'too_large') options.log(`gRPC ${name} ${grpcStatusName[error.code]} from ${call.peer}: ${message}`);
        throw error;
      } finally {
        if (entered) gate.leave();
      }
    });
  };
  const ready = (r: { name: string; version: string }): boolean => {
    try {
      servedModel(pool, models, r.name, r.version);
      return gate.ready;
    } catch {
      return false;
    }
  };
  unary('ServerLive', () => ({ live: true }), false);
  unary('ServerReady', () => ({ ready: gate.ready }), false);
  // A boolean answer, as the protocol defines it: an unknown model or version is simply not ready.
  unary('ModelReady', (r: { name: string; version: string }) => ({ ready: ready(r) }), false);
  unary('ServerMetadata', () => serverMetadata());
  unary('ModelMetadata', (r: { name: string; version: string }) => modelMetadata(servedModel(pool, models, r.name, r.version)));
  unary('ModelConfig', (r: { name: string; version: string }) => ({ config: modelConfig(servedModel(pool, models, r.name, r.version), pool.serving(r.name)) }));
  // An empty name asks for every model, as in Triton.
  unary('ModelStatistics', (r: { name: string; version: string }) => {
    const names = r.name === '' ? models : [servedModel(pool, models, r.name, r.version).name];
    return { model_stats: names.map((m) => modelStatistics(m, pool.statistics(m))) };
  });
  unary('RepositoryIndex', () => ({ models: repositoryIndex(models.map((m) => pool.manifest(m).manifest)) }));
  unary('ModelInfer', async (r: InferRequest) => {
    const manifest = servedModel(pool, models, r.model_name, r.model_version);
    checkTensorNames(manifest, r.inputs.map((i) => i.name), r.outputs.map((o) => o.name));
    const result = await pool.score({ model: r.model_name, inputs: decodeInputs(r) });
    const names = r.outputs.length > 0 ? r.outputs.map((o) => o.name) : Object.keys(result.outputs);
    const tensors = names.map((name) => {
      const t = result.outputs[name];
      if (!t) throw new Error(`model '${r.model_name}' returned no output '${name}'`);
      return { name, t };
    });
    return {
      model_name: r.model_name,
      model_version: result.modelVersion,
      id: r.id,
      outputs: tensors.map(({ name, t }) => ({ name, datatype: kserveDatatype[t.type], shape: t.dims })),
      raw_output_contents: tensors.map(({ t }) => tensorBytes(t)),
    };
  });
  return handlers;
}
