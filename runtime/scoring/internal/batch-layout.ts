import type { TensorData } from '../../../core/scoring/scoring-service';
import type { ModelManifest } from '../../../core/scoring/model-manifest';
import { ScoreRequestError } from '../../../core/scoring/scoring-errors';

type Inputs = Readonly<Record<string, TensorData>>;
type TypedArray = TensorData['data'];

const littleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * How a model's requests merge into batches and split back, derived from its
 * manifest: inputs that lead with the row dimension are concatenated, inputs
 * that lead with the group dimension (sent once per request) are concatenated
 * too, and the group index is shifted so each row still points at its group.
 */
export class BatchLayout {
  private readonly rowInputs: string[] = [];
  private readonly groupInputs: string[] = [];
  private readonly index?: string;

  constructor(readonly manifest: ModelManifest) {
    for (const input of manifest.inputs) {
      if (input.name === manifest.batching.groupIndex) continue;
      (input.dims[0] === manifest.batching.rowDim ? this.rowInputs : this.groupInputs).push(input.name);
    }
    this.index = manifest.batching.groupIndex;
  }

  /** Rows (rowDim) of one request; checks names, dtypes, fixed dims and agreement of the leading dims. */
  check(inputs: Inputs): number {
    let rows = -1;
    let groups = -1;
    for (const spec of this.manifest.inputs) {
      const t = inputs[spec.name];
      if (!t) throw new ScoreRequestError(`model '${this.manifest.name}': input '${spec.name}' is missing`);
      if (t.type !== spec.dtype) throw new ScoreRequestError(`model '${this.manifest.name}': input '${spec.name}' is ${t.type}, the manifest says ${spec.dtype}`);
      if (t.dims.length !== spec.dims.length || spec.dims.some((d, i) => typeof d === 'number' && d !== t.dims[i])) {
        throw new ScoreRequestError(`model '${this.manifest.name}': input '${spec.name}' has dims [${t.dims.join(', ')}], the manifest says [${spec.dims.join(', ')}]`);
      }
      if (t.data.length !== t.dims.reduce((a, b) => a * b, 1)) {
        throw new ScoreRequestError(`model '${this.manifest.name}': input '${spec.name}' holds ${t.data.length} values for dims [${t.dims.join(', ')}]`);
      }
      const lead = t.dims[0];
      if (spec.dims[0] === this.manifest.batching.rowDim) {
        if (rows >= 0 && rows !== lead) throw new ScoreRequestError(`model '${this.manifest.name}': input '${spec.name}' has ${lead} ${spec.dims[0]}, others have ${rows}`);
        rows = lead;
      } else {
        if (groups >= 0 && groups !== lead) throw new ScoreRequestError(`model '${this.manifest.name}': input '${spec.name}' has ${lead} ${spec.dims[0]}, others have ${groups}`);
        groups = lead;
      }
    }
    if (this.index) {
      const idx = inputs[this.index].data as BigInt64Array;
      // One comparison of two 32-bit words per row instead of BigInt arithmetic (little-endian: low word first).
      const words = littleEndian ? new Int32Array(idx.buffer, idx.byteOffset, idx.length * 2) : undefined;
      for (let i = 0; i < idx.length; i++) {
        const inRange = words ? words[2 * i + 1] === 0 && words[2 * i] >= 0 && words[2 * i] < groups : idx[i] >= 0n && idx[i] < BigInt(groups);
        if (!inRange) throw new ScoreRequestError(`model '${this.manifest.name}': ${this.index}[${i}] = ${idx[i]} is outside 0..${groups - 1}`);
      }
    }
    return rows;
  }

  /** One batch from several requests, in fresh buffers (so they can be transferred away). */
  merge(requests: readonly Inputs[]): Record<string, TensorData> {
    const out: Record<string, TensorData> = {};
    for (const name of [...this.rowInputs, ...this.groupInputs]) out[name] = concat(requests.map((r) => r[name]));
    if (this.index) {
      const parts = requests.map((r) => r[this.index!]);
      const merged = concat(parts);
      const data = merged.data as BigInt64Array;
      // check() keeps every index in [0, groups), so each int64 is its low 32-bit word (little-endian)
      // and the shift can run on Int32 words: BigInt arithmetic per row cost more than the copy.
      const words = new Int32Array(data.buffer, data.byteOffset, data.length * 2);
      let pos = 0;
      let offset = 0;
      for (const r of requests) {
        const n = r[this.index].data.length;
        if (offset !== 0 && littleEndian) for (let i = pos; i < pos + n; i++) words[2 * i] += offset;
        else if (offset !== 0) for (let i = pos; i < pos + n; i++) data[i] += BigInt(offset);
        pos += n;
        offset += r[this.groupInputs[0]]?.dims[0] ?? 0;
      }
      out[this.index] = merged;
    }
    return out;
  }

  /** Cuts a request into parts of at most `maxRows` rows; each part carries the request's group tensors whole. */
  split(inputs: Inputs, rows: number, maxRows: number): Inputs[] {
    const parts: Inputs[] = [];
    for (let start = 0; start < rows; start += maxRows) {
      const end = Math.min(rows, start + maxRows);
      const part: Record<string, TensorData> = {};
      for (const name of this.groupInputs) part[name] = inputs[name];
      for (const name of this.index ? [...this.rowInputs, this.index] : this.rowInputs) part[name] = sliceRows(inputs[name], start, end);
      parts.push(part);
    }
    return parts;
  }

  /** The outputs of each request of a merged batch, as views on the batch's buffers. */
  unmerge(outputs: Readonly<Record<string, TensorData>>, rowCounts: readonly number[]): Record<string, TensorData>[] {
    const result: Record<string, TensorData>[] = rowCounts.map(() => ({}));
    for (const [name, t] of Object.entries(outputs)) {
      let start = 0;
      rowCounts.forEach((n, i) => {
        result[i][name] = sliceRows(t, start, start + n);
        start += n;
      });
    }
    return result;
  }

  /** The outputs of a split request, joined back in order. */
  join(parts: ReadonlyArray<Readonly<Record<string, TensorData>>>): Record<string, TensorData> {
    const out: Record<string, TensorData> = {};
    for (const name of Object.keys(parts[0])) out[name] = concat(parts.map((p) => p[name]));
    return out;
  }
}

function rowSize(t: TensorData): number {
  return t.dims.slice(1).reduce((a, b) => a * b, 1);
}

function sliceRows(t: TensorData, start: number, end: number): TensorData {
  const size = rowSize(t);
  return { type: t.type, dims: [end - start, ...t.dims.slice(1)], data: t.data.subarray(start * size, end * size) as TypedArray };
}

type TypedArrayOver = new (buffer: ArrayBuffer, byteOffset: number, length: number) => TypedArray;

/** Concatenates along the first dimension into a new buffer of the same element type (its own, so it can be transferred). */
export function concat(parts: readonly TensorData[]): TensorData {
  const first = parts[0];
  const total = parts.reduce((n, p) => n + p.data.length, 0);
  // Every byte is written below, so the buffer is not zero-filled first (allocUnsafeSlow: not from the shared pool, so transferable).
  const bytes = Buffer.allocUnsafeSlow(total * first.data.BYTES_PER_ELEMENT);
  const data = new (first.data.constructor as TypedArrayOver)(bytes.buffer as ArrayBuffer, 0, total);
  let pos = 0;
  for (const p of parts) {
    (data as Float32Array).set(p.data as Float32Array, pos);
    pos += p.data.length;
  }
  return { type: first.type, dims: [parts.reduce((n, p) => n + p.dims[0], 0), ...first.dims.slice(1)], data };
}
