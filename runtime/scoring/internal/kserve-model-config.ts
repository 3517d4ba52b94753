import type { ModelManifest } from '../../../core/scoring/model-manifest';
import type { ModelServing } from '../scoring-pool';
import { kserveDatatype } from './kserve-tensors';

/**
 * A model's configuration in the shape of Triton's `ModelConfig` (model_config.proto), as
 * `GET /v2/models/{m}/config` and gRPC `ModelConfig` return it; field names are the proto's,
 * so one object serves both transports (gRPC drops what the .proto does not declare).
 *
 * `max_batch_size` is 0 and every symbolic dimension is -1: Triton's batching adds one leading
 * batch dimension to every tensor, while a Tributary model batches along its manifest's row
 * dimension and may carry group tensors of another length (users beside candidates), which is
 * what Triton calls a model that does not batch by itself. Clients such as perf_analyzer then
 * take the full shapes from the request (`--shape`). How Tributary batches is under `parameters`.
 */
export function modelConfig(m: ModelManifest, serving: ModelServing): Record<string, unknown> {
  const dims = (t: ModelManifest['inputs'][number]) => t.dims.map((d) => (typeof d === 'number' ? d : -1));
  const dataType = (t: ModelManifest['inputs'][number]) => `TYPE_${kserveDatatype[t.dtype]}`;
  const parameter = (value: string | number) => ({ string_value: String(value) });
  return {
    name: m.name,
    platform: 'onnxruntime_onnx',
    backend: 'onnxruntime',
    max_batch_size: 0,
    input: m.inputs.map((t) => ({ name: t.name, data_type: dataType(t), format: 'FORMAT_NONE', dims: dims(t) })),
    output: m.outputs.map((t) => ({ name: t.name, data_type: dataType(t), dims: dims(t) })),
    instance_group: serving.instances > 0
      ? [{ name: `${m.name}_0`, kind: serving.provider === 'cpu' ? 'KIND_CPU' : 'KIND_GPU', count: serving.instances }]
      : [],
    default_model_filename: m.file,
    parameters: {
      'tributary.version': parameter(m.version),
      'tributary.row_dim': parameter(m.batching.rowDim),
      'tributary.max_batch_rows': parameter(serving.batching.maxBatchRows),
      'tributary.max_delay_ms': parameter(serving.batching.maxDelayMs),
      ...(serving.batching.maxQueuedRows !== undefined ? { 'tributary.max_queue_rows': parameter(serving.batching.maxQueuedRows) } : {}),
      'tributary.execution_provider': parameter(serving.provider),
    },
  };
}
