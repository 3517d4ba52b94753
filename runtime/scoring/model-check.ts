import type { ManifestTensor, ModelManifest } from '../../core/scoring/model-manifest';

/** What an ONNX session (or a remote model's metadata) says about one tensor. */
export interface DeclaredTensor {
  readonly name: string;
  readonly type: string;
  /** Numbers for fixed sizes; names or -1 for free sizes. */
  readonly shape: ReadonlyArray<number | string>;
}

/**
 * Compares a model's declared inputs and outputs with its manifest, so that
 * a wrong file fails at load time with every difference listed, not at the
 * first record. Returns the problems (empty when they agree).
 */
export function checkModelAgainstManifest(manifest: ModelManifest, inputs: readonly DeclaredTensor[], outputs: readonly DeclaredTensor[]): string[] {
  const problems: string[] = [];
  const compare = (kind: 'input' | 'output', declared: readonly DeclaredTensor[], expected: readonly ManifestTensor[]): void => {
    const byName = new Map(declared.map((t) => [t.name, t]));
    for (const spec of expected) {
      const t = byName.get(spec.name);
      if (!t) {
        problems.push(`${kind} '${spec.name}' is in the manifest but not in the model (model has: ${declared.map((d) => d.name).join(', ')})`);
        continue;
      }
      byName.delete(spec.name);
      if (normalType(t.type) !== spec.dtype) problems.push(`${kind} '${spec.name}' is ${t.type} in the model, ${spec.dtype} in the manifest`);
      const shapeOk = t.shape.length === spec.dims.length
        && spec.dims.every((d, i) => {
          const m = t.shape[i];
          const free = typeof m === 'string' || m === -1;
          return typeof d === 'number' ? m === d : free;
        });
      if (!shapeOk) problems.push(`${kind} '${spec.name}' has shape [${t.shape.join(', ')}] in the model, [${spec.dims.join(', ')}] in the manifest`);
    }
    if (kind === 'input') for (const name of byName.keys()) problems.push(`input '${name}' of the model is not in the manifest`);
  };
  compare('input', inputs, manifest.inputs);
  compare('output', outputs, manifest.outputs);
  return problems;
}

/** ONNX runtime and KServe spell element types differently; both map to manifest dtypes. */
function normalType(type: string): string {
  const map: Record<string, string> = { FP32: 'float32', INT64: 'int64', INT32: 'int32', BOOL: 'bool', float: 'float32', int64: 'int64' };
  return map[type] ?? type;
}
