import type { TensorData } from '../../../core/scoring/scoring-service';
import type { ModelManifest } from '../../../core/scoring/model-manifest';

/**
 * Inputs for warm-up runs: `rows` rows of zeros, one group row, every row
 * pointing at it. Run before a model version serves so its first real batch
 * does not pay for allocation and kernel selection.
 */
export function warmupInputs(manifest: ModelManifest, rows: number): Record<string, TensorData> {
  const out: Record<string, TensorData> = {};
  for (const spec of manifest.inputs) {
    const dims = spec.dims.map((d, i) => (typeof d === 'number' ? d : i === 0 && d === manifest.batching.rowDim ? rows : 1));
    const size = dims.reduce((a, b) => a * b, 1);
    const data = spec.dtype === 'float32' ? new Float32Array(size) : spec.dtype === 'int64' ? new BigInt64Array(size) : spec.dtype === 'int32' ? new Int32Array(size) : new Uint8Array(size);
    out[spec.name] = { type: spec.dtype, dims, data };
  }
  return out;
}
