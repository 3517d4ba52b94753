import type { TensorData } from '../../../core/scoring/scoring-service';
import { ProtocolError } from './kserve-errors';

/** Open Inference Protocol datatype names of the tensor types Tributary carries. */
export const kserveDatatype: Record<TensorData['type'], string> = { float32: 'FP32', int64: 'INT64', int32: 'INT32', bool: 'BOOL' };

const fromDatatype: Record<string, TensorData['type']> = { FP32: 'float32', INT64: 'int64', INT32: 'int32', BOOL: 'bool' };

/** The tensor type of a protocol datatype name; throws on types Tributary does not carry. */
export function tensorType(datatype: string, name = '?'): TensorData['type'] {
  const t = fromDatatype[datatype];
  if (!t) throw new ProtocolError('invalid', `tensor '${name}': datatype ${JSON.stringify(datatype)} is not supported (FP32, INT64, INT32, BOOL are)`);
  return t;
}

/** The little-endian bytes of a tensor, as a view (no copy). */
export function tensorBytes(t: TensorData): Buffer {
  return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A tensor over raw little-endian bytes; copies only when the bytes are not aligned for the element type. */
export function tensorFromBytes(name: string, datatype: string, shape: readonly number[], bytes: Uint8Array): TensorData {
  const type = tensorType(datatype, name);
  const count = elementCount(shape);
  const width = type === 'int64' ? 8 : type === 'bool' ? 1 : 4;
  if (bytes.byteLength !== count * width) {
    throw new ProtocolError('invalid', `tensor '${name}' of shape [${shape.join(', ')}] ${datatype} needs ${count * width} bytes, got ${bytes.byteLength}`);
  }
  const aligned = bytes.byteOffset % width === 0 ? bytes : new Uint8Array(bytes);
  const ctor = type === 'float32' ? Float32Array : type === 'int64' ? BigInt64Array : type === 'int32' ? Int32Array : Uint8Array;
  return { type, dims: [...shape], data: new ctor(aligned.buffer as ArrayBuffer, aligned.byteOffset, count) };
}

/*
 * JSON values must be of the datatype's kind, as Triton checks them: numbers for FP32, integers in
 * range for INT32 and INT64 (int64 within 2^53, the most a JSON number carries exactly), true/false
 * for BOOL. Anything else (strings, null, objects) would otherwise become NaN or 0 without a word.
 */
const accepts: Record<TensorData['type'], { test(v: unknown): boolean; what: string }> = {
  float32: { test: (v) => typeof v === 'number', what: 'a number' },
  int32: { test: (v) => Number.isInteger(v) && (v as number) >= -(2 ** 31) && (v as number) < 2 ** 31, what: 'a 32-bit integer' },
  int64: { test: (v) => Number.isSafeInteger(v), what: 'an integer within ±2^53' },
  bool: { test: (v) => typeof v === 'boolean', what: 'true or false' },
};

/** A tensor from the JSON form of the protocol (a flat or nested list of values of the datatype's kind). */
export function tensorFromJson(name: string, datatype: string, shape: readonly number[], data: unknown): TensorData {
  const type = tensorType(datatype, name);
  if (!Array.isArray(data)) throw new ProtocolError('invalid', `tensor '${name}': data must be a list of values, got ${describe(data)}`);
  const flat = data.flat(Infinity) as unknown[];
  const count = elementCount(shape);
  if (flat.length !== count) throw new ProtocolError('invalid', `tensor '${name}' of shape [${shape.join(', ')}] needs ${count} values, got ${flat.length}`);
  const rule = accepts[type];
  for (let i = 0; i < flat.length; i++) {
    if (!rule.test(flat[i])) throw new ProtocolError('invalid', `tensor '${name}' (${datatype}): value ${i} is ${describe(flat[i])}, expected ${rule.what}`);
  }
  const values = type === 'float32' ? Float32Array.from(flat as number[])
    : type === 'int64' ? BigInt64Array.from(flat as number[], (v) => BigInt(v))
      : type === 'int32' ? Int32Array.from(flat as number[]) : Uint8Array.from(flat as boolean[], (v) => (v ? 1 : 0));
  return { type, dims: [...shape], data: values };
}

/** A short description of a JSON value for error messages (never the whole value). */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

/** The JSON form of a tensor's values (int64 as numbers: feature ids stay far below 2^53). */
export function tensorToJson(t: TensorData): Array<number | boolean> {
  if (t.type === 'int64') return Array.from(t.data as BigInt64Array, (v) => Number(v));
  if (t.type === 'bool') return Array.from(t.data as Uint8Array, (v) => v !== 0);
  return Array.from(t.data as Float32Array);
}
