import type { TensorData } from '../../../core/scoring/scoring-service';

/** Open Inference Protocol datatype names of the tensor types Tributary carries. */
export const kserveDatatype: Record<TensorData['type'], string> = { float32: 'FP32', int64: 'INT64', int32: 'INT32', bool: 'BOOL' };

const fromDatatype: Record<string, TensorData['type']> = { FP32: 'float32', INT64: 'int64', INT32: 'int32', BOOL: 'bool' };

/** The tensor type of a protocol datatype name; throws on types Tributary does not carry. */
export function tensorType(datatype: string): TensorData['type'] {
  const t = fromDatatype[datatype];
  if (!t) throw new Error(`datatype ${datatype} is not supported (FP32, INT64, INT32, BOOL are)`);
  return t;
}

/** The little-endian bytes of a tensor, as a view (no copy). */
export function tensorBytes(t: TensorData): Buffer {
  return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** A tensor over raw little-endian bytes; copies only when the bytes are not aligned for the element type. */
export function tensorFromBytes(datatype: string, shape: readonly number[], bytes: Uint8Array): TensorData {
  const type = tensorType(datatype);
  const count = shape.reduce((a, b) => a * b, 1);
  const width = type === 'int64' ? 8 : type === 'bool' ? 1 : 4;
  if (bytes.byteLength !== count * width) throw new Error(`tensor of shape [${shape.join(', ')}] ${datatype} needs ${count * width} bytes, got ${bytes.byteLength}`);
  const aligned = bytes.byteOffset % width === 0 ? bytes : new Uint8Array(bytes);
  const ctor = type === 'float32' ? Float32Array : type === 'int64' ? BigInt64Array : type === 'int32' ? Int32Array : Uint8Array;
  return { type, dims: [...shape], data: new ctor(aligned.buffer as ArrayBuffer, aligned.byteOffset, count) };
}

/** A tensor from the JSON form of the protocol (a flat or nested list of numbers). */
export function tensorFromJson(datatype: string, shape: readonly number[], data: unknown): TensorData {
  const type = tensorType(datatype);
  const flat = (Array.isArray(data) ? data.flat(Infinity) : [data]) as Array<number | boolean>;
  const values = type === 'float32' ? Float32Array.from(flat as number[])
    : type === 'int64' ? BigInt64Array.from(flat.map((v) => BigInt(v as number)))
      : type === 'int32' ? Int32Array.from(flat as number[]) : Uint8Array.from(flat.map((v) => (v ? 1 : 0)));
  return { type, dims: [...shape], data: values };
}

/** The JSON form of a tensor's values (int64 as numbers: feature ids stay far below 2^53). */
export function tensorToJson(t: TensorData): Array<number | boolean> {
  if (t.type === 'int64') return Array.from(t.data as BigInt64Array, (v) => Number(v));
  if (t.type === 'bool') return Array.from(t.data as Uint8Array, (v) => v !== 0);
  return Array.from(t.data as Float32Array);
}
