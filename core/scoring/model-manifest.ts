import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../errors';

/** Element types a manifest may declare (the tensor types `ScoringService` carries). */
export type ManifestDtype = 'float32' | 'int64' | 'int32' | 'bool';

/** One input or output tensor of a model as its manifest declares it. */
export interface ManifestTensor {
  readonly name: string;
  readonly dtype: ManifestDtype;
  /** Fixed sizes as numbers, symbolic sizes (`candidates`, `users`) as names. */
  readonly dims: ReadonlyArray<number | string>;
  readonly description?: string;
  /** Names of the entries along the last dimension, in order (the feature order). */
  readonly features?: readonly string[];
}

/**
 * How requests are merged into batches. Every input and output leads with a
 * symbolic dimension: `rowDim` (the rows counted against `maxBatchRows`,
 * e.g. candidates) or `groupDim` (rows sent once per request, e.g. the user,
 * that row inputs point at through the int64 `groupIndex` input).
 */
export interface ManifestBatching {
  readonly rowDim: string;
  readonly groupDim?: string;
  readonly groupIndex?: string;
}

/**
 * The declared feature layout of a model, read from `manifest.json` next to
 * the `.onnx` file. It is checked against the ONNX session at load time.
 */
export interface ModelManifest {
  readonly name: string;
  readonly version: string;
  /** The `.onnx` file, relative to the manifest's folder. */
  readonly file: string;
  readonly description?: string;
  readonly inputs: readonly ManifestTensor[];
  readonly outputs: readonly ManifestTensor[];
  readonly batching: ManifestBatching;
  /** Outputs that are per-row scores (one value per row). */
  readonly heads: readonly string[];
  /** utility = Σ weights[head] · head score; a negative weight is a penalty. */
  readonly utility?: { readonly weights: Readonly<Record<string, number>> };
}

/** A manifest with the folder it came from. */
export interface LoadedManifest {
  readonly dir: string;
  readonly manifestPath: string;
  readonly modelPath: string;
  readonly manifest: ModelManifest;
}

const dtypes: readonly string[] = ['float32', 'int64', 'int32', 'bool'];

/**
 * Reads and checks `DIR/manifest.json`. Throws a ConfigError naming the file
 * and the field at fault; the ONNX file's own check comes when it is loaded.
 */
export function loadModelManifest(dir: string): LoadedManifest {
  const manifestPath = path.resolve(dir, 'manifest.json');
  let text: string;
  try {
    text = fs.readFileSync(manifestPath, 'utf8');
  } catch (err) {
    throw new ConfigError(`model manifest ${manifestPath} cannot be read: ${(err as Error).message}`, undefined, { cause: err });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`model manifest ${manifestPath} is not valid JSON: ${(err as Error).message}`, undefined, { cause: err });
  }
  const problems = checkManifest(raw);
  if (problems.length > 0) {
    throw new ConfigError(`model manifest ${manifestPath} is invalid: ${problems.join('; ')}`);
  }
  const manifest = raw as ModelManifest;
  return { dir: path.dirname(manifestPath), manifestPath, modelPath: path.resolve(path.dirname(manifestPath), manifest.file), manifest };
}

/** Every problem of a parsed manifest, as `field: message` strings. */
export function checkManifest(raw: unknown): string[] {
  const problems: string[] = [];
  if (typeof raw !== 'object' || raw === null) return ['expected a JSON object'];
  const m = raw as Record<string, unknown>;
  for (const field of ['name', 'version', 'file']) {
    if (typeof m[field] !== 'string' || m[field] === '') problems.push(`${field}: expected a non-empty string`);
  }
  const tensors = (field: 'inputs' | 'outputs'): ManifestTensor[] => {
    const list = m[field];
    if (!Array.isArray(list) || list.length === 0) {
      problems.push(`${field}: expected a non-empty list`);
      return [];
    }
    list.forEach((t: Record<string, unknown>, i) => {
      if (typeof t?.name !== 'string') problems.push(`${field}[${i}].name: expected a string`);
      if (!dtypes.includes(t?.dtype as string)) problems.push(`${field}[${i}].dtype: expected one of ${dtypes.join(', ')}`);
      if (!Array.isArray(t?.dims) || t.dims.length === 0 || !t.dims.every((d) => typeof d === 'string' || (Number.isInteger(d) && (d as number) > 0))) {
        problems.push(`${field}[${i}].dims: expected a non-empty list of positive integers and dimension names`);
      }
    });
    return list as ManifestTensor[];
  };
  const inputs = tensors('inputs');
  const outputs = tensors('outputs');
  const batching = m.batching as Record<string, unknown> | undefined;
  if (typeof batching?.rowDim !== 'string') {
    problems.push('batching.rowDim: expected the name of the row dimension');
    return problems;
  }
  const leading = new Set([batching.rowDim, batching.groupDim].filter((d) => typeof d === 'string'));
  inputs.forEach((t, i) => {
    if (Array.isArray(t?.dims) && !leading.has(t.dims[0] as string)) problems.push(`inputs[${i}].dims: must start with '${[...leading].join("' or '")}'`);
  });
  outputs.forEach((t, i) => {
    if (Array.isArray(t?.dims) && t.dims[0] !== batching.rowDim) problems.push(`outputs[${i}].dims: must start with '${batching.rowDim}'`);
  });
  if ((batching.groupDim === undefined) !== (batching.groupIndex === undefined)) {
    problems.push('batching: groupDim and groupIndex go together');
  } else if (batching.groupIndex !== undefined) {
    const index = inputs.find((t) => t?.name === batching.groupIndex);
    if (!index || index.dtype !== 'int64' || index.dims.length !== 1 || index.dims[0] !== batching.rowDim) {
      problems.push(`batching.groupIndex: '${String(batching.groupIndex)}' must be an int64 input of dims ['${batching.rowDim}']`);
    }
  }
  const outputNames = new Set(outputs.map((t) => t?.name));
  const heads = m.heads;
  if (!Array.isArray(heads) || heads.some((h) => !outputNames.has(h))) problems.push('heads: expected a list of output names');
  const weights = (m.utility as Record<string, unknown> | undefined)?.weights as Record<string, unknown> | undefined;
  if (m.utility !== undefined) {
    if (typeof weights !== 'object' || weights === null) problems.push('utility.weights: expected an object of head weights');
    else for (const [head, w] of Object.entries(weights)) {
      if (!Array.isArray(heads) || !heads.includes(head) || typeof w !== 'number') problems.push(`utility.weights.${head}: expected a number for a declared head`);
    }
  }
  return problems;
}
