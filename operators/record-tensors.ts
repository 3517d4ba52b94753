import type { ManifestTensor, ModelManifest } from '../core/scoring/model-manifest';
import type { TensorData } from '../core/scoring/scoring-service';

/**
 * Builds the tensors of one request from plain values (numbers, nested or
 * flat lists, typed arrays), following the manifest: an input that leads with
 * the group dimension is one row (its leading size becomes 1); one that leads
 * with the row dimension is a list of rows. The group index, when not given,
 * points every row at the request's single group row. Throws an Error naming
 * the input when a value has the wrong size.
 */
export function buildRequestTensors(manifest: ModelManifest, values: Readonly<Record<string, unknown>>): Record<string, TensorData> {
  const out: Record<string, TensorData> = {};
  let rows = -1;
  for (const spec of manifest.inputs) {
    if (spec.name === manifest.batching.groupIndex && values[spec.name] === undefined) continue;
    const tensor = toTensor(spec, values[spec.name], spec.dims[0] === manifest.batching.rowDim);
    if (spec.dims[0] === manifest.batching.rowDim) {
      if (rows >= 0 && tensor.dims[0] !== rows) throw new Error(`input '${spec.name}' has ${tensor.dims[0]} rows, other inputs have ${rows}`);
      rows = tensor.dims[0];
    }
    out[spec.name] = tensor;
  }
  const index = manifest.batching.groupIndex;
  if (index && !out[index]) out[index] = { type: 'int64', dims: [Math.max(rows, 0)], data: new BigInt64Array(Math.max(rows, 0)) };
  return out;
}

function toTensor(spec: ManifestTensor, value: unknown, isRows: boolean): TensorData {
  if (value === undefined || value === null) throw new Error(`input '${spec.name}' has no value`);
  const inner = spec.dims.slice(1);
  if (inner.some((d) => typeof d !== 'number')) throw new Error(`input '${spec.name}': only the leading dimension may be symbolic for record inputs`);
  const rowSize = (inner as number[]).reduce((a, b) => a * b, 1);
  // A typed array of the right element type is used as is (batching copies it into the batch buffer).
  if ((spec.dtype === 'float32' && value instanceof Float32Array) || (spec.dtype === 'int64' && value instanceof BigInt64Array)) {
    if (value.length % rowSize !== 0 || (!isRows && value.length !== rowSize)) throw new Error(`input '${spec.name}' has ${value.length} values, expected ${isRows ? 'whole rows of ' : ''}${rowSize} (dims [${spec.dims.join(', ')}])`);
    return { type: spec.dtype, dims: [isRows ? value.length / rowSize : 1, ...(inner as number[])], data: value };
  }
  // One walk writes the numbers into a reused scratch array and checks them on the way; the
  // typed array of the exact size is then a native copy. (Counting first and writing second
  // walked a request's ~10^4 candidate numbers twice: 2.2 s of a 45 s flagship profile.)
  const count = flatten(value, spec.name);
  let leading = 1;
  if (isRows) {
    if (count % rowSize !== 0) throw new Error(`input '${spec.name}' has ${count} values, not a whole number of rows of ${rowSize}`);
    leading = count / rowSize;
  } else if (count !== rowSize) {
    throw new Error(`input '${spec.name}' has ${count} values, expected ${rowSize} (dims [${spec.dims.join(', ')}])`);
  }
  const dims = [leading, ...(inner as number[])];
  const numbers = scratch.subarray(0, count);
  switch (spec.dtype) {
    case 'float32': return { type: 'float32', dims, data: new Float32Array(numbers) };
    case 'int32': return { type: 'int32', dims, data: new Int32Array(numbers) };
    case 'int64': return { type: 'int64', dims, data: BigInt64Array.from(numbers, (v) => BigInt(Math.trunc(v))) };
    case 'bool': return { type: 'bool', dims, data: Uint8Array.from(numbers, (v) => (v ? 1 : 0)) };
  }
}

/** Where {@link flatten} writes; grows by doubling and is kept for the next input (one thread, no await in between). */
let scratch = new Float64Array(4096);

/**
 * Writes the numbers a value holds (numbers, booleans, bigints, typed arrays, nested lists), in
 * order, into {@link scratch} and returns how many; throws naming the input on anything else.
 */
function flatten(value: unknown, name: string): number {
  return flattenAt(value, name, 0);
}

function flattenAt(value: unknown, name: string, at: number): number {
  if (typeof value === 'number') return put(value, at);
  if (typeof value === 'boolean') return put(value ? 1 : 0, at);
  if (typeof value === 'bigint') return put(Number(value), at);
  if (Array.isArray(value)) {
    // Lists of lists and lists of numbers go through loops of their own. One loop for both saw
    // every kind of array V8 has (of objects, of doubles, of small integers, with holes) at one
    // element read, which then fetches a double as a new heap number: 10 % of the flagship's
    // allocation at 5,000 events/s was that read, one number per candidate embedding value.
    return value.length > 0 && typeof value[0] === 'object' ? flattenLists(value, name, at) : flattenScalars(value, name, at);
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const view = value as unknown as ArrayLike<number | bigint>;
    for (let i = 0; i < view.length; i++) at = put(Number(view[i]), at);
    return at;
  }
  throw new Error(`input '${name}' holds ${value === undefined || value === null ? 'a missing value' : typeof value}, expected numbers`);
}

/** A list whose first element is a list (or an object): each element flattened. */
function flattenLists(list: readonly unknown[], name: string, at: number): number {
  for (let i = 0; i < list.length; i++) at = flattenAt(list[i], name, at);
  return at;
}

/** A list of numbers (anything else in it is flattened, or refused, as an element). */
function flattenScalars(list: readonly unknown[], name: string, at: number): number {
  for (let i = 0; i < list.length; i++) {
    const v: unknown = list[i];
    if (typeof v === 'number') {
      if (at === scratch.length) grow();
      scratch[at++] = v;
    } else {
      at = flattenAt(v, name, at);
    }
  }
  return at;
}

function put(n: number, at: number): number {
  if (at === scratch.length) grow();
  scratch[at] = n;
  return at + 1;
}

function grow(): void {
  const bigger = new Float64Array(scratch.length * 2);
  bigger.set(scratch);
  scratch = bigger;
}

/** Per-row head scores and the manifest's combined utility, as plain arrays. */
export function headScores(manifest: ModelManifest, outputs: Readonly<Record<string, TensorData>>): { heads: Record<string, number[]>; utility?: number[] } {
  const heads: Record<string, number[]> = {};
  for (const head of manifest.heads) heads[head] = plainArray(outputs[head].data as Float32Array);
  const weights = manifest.utility?.weights;
  if (!weights) return { heads };
  const rows = heads[manifest.heads[0]].length;
  const utility = new Array<number>(rows).fill(0);
  for (const [head, w] of Object.entries(weights)) for (let i = 0; i < rows; i++) utility[i] += w * heads[head][i];
  return { heads, utility };
}

/** A typed array's numbers as a plain array (`Array.from` iterates: an allocation profile of the flagship at 5,000 events/s found 93 MB of iterator results here in 25 s). */
function plainArray(data: Float32Array): number[] {
  const out = new Array<number>(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i];
  return out;
}
