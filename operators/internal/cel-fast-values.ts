/**
 * The value rules of the CEL fast path (see cel-fast-path.ts), written to
 * match what @bufbuild/cel does after `toCel` in cel-expression.ts:
 * JS numbers are CEL doubles, bigints are ints, arrays are lists, and Maps,
 * plain objects and class instances (avsc records) are maps of their own
 * enumerable properties. Record values are read as they are, without
 * converting them first; anything the rules below are not sure about throws
 * {@link FAST_PATH_BAIL} and the full evaluator takes the whole record.
 */

/** Thrown (not an Error: no stack to capture) when only the full evaluator can tell. */
export const FAST_PATH_BAIL: object = Object.freeze({ fastPathBail: true });

/** Hands the record to the full evaluator. */
export function bail(): never {
  throw FAST_PATH_BAIL;
}

const MAX_INT = 9223372036854775807n;
const MIN_INT = -9223372036854775808n;
const MAX_DEPTH = 64;
const hasOwn = Object.prototype.hasOwnProperty;
const isEnumerableOwn = Object.prototype.propertyIsEnumerable;

/**
 * A value read from a record, as CEL would see it. Undefined (an absent
 * optional avsc field) reads as null, as `toCel` makes it. Objects that
 * @bufbuild/cel would treat specially or reject (null prototype, an own
 * `constructor` or `$typeName`) and functions or symbols are not guessed at.
 */
export function fromRaw(v: unknown): unknown {
  switch (typeof v) {
    case 'string': case 'number': case 'boolean': case 'bigint': return v;
    case 'undefined': return null;
    case 'object': break;
    default: return bail();
  }
  if (v === null || Array.isArray(v) || v instanceof Map || v instanceof Uint8Array) return v;
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto === null) return bail();
  if (proto === Object.prototype && (hasOwn.call(v, 'constructor') || hasOwn.call(v, '$typeName'))) return bail();
  return v;
}

/** True for values the fast path treats as CEL maps. */
function isMapLike(v: unknown): v is object {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** `o.f` and `o["f"]`: a missing key or a non-map operand is an error, so the full evaluator reports it. */
export function selectField(o: unknown, field: string): unknown {
  if (!isMapLike(o) || field === '__proto__') return bail();
  if (o instanceof Map) {
    const v = o.get(field) as unknown;
    return v === undefined ? bail() : fromRaw(v);
  }
  if (!isEnumerableOwn.call(o, field)) return bail();
  return fromRaw((o as Record<string, unknown>)[field]);
}

/**
 * `has(o.f)`: true when o is a map whose entry f is set and not null
 * (@bufbuild/cel's map `has` is `get(key) != undefined`, so a null entry is
 * not present); false for any other operand.
 */
export function hasField(o: unknown, field: string): boolean {
  if (!isMapLike(o)) return false;
  if (field === '__proto__') return bail();
  if (o instanceof Map) return o.get(field) != null; // eslint-disable-line eqeqeq
  if (!isEnumerableOwn.call(o, field)) return false;
  const v = fromRaw((o as Record<string, unknown>)[field]);
  return v !== null;
}

/** `o[i]`: string keys select, int indexes read lists (and int-keyed map literals). */
export function indexValue(o: unknown, i: unknown): unknown {
  if (typeof i === 'string') return selectField(o, i);
  if (typeof i !== 'bigint') return bail();
  if (Array.isArray(o)) {
    if (i < 0n || i >= BigInt(o.length)) return bail();
    const v = o[Number(i)] as unknown;
    return v === undefined ? bail() : fromRaw(v);
  }
  if (o instanceof Map) {
    const v = o.get(i) as unknown;
    return v === undefined ? bail() : fromRaw(v);
  }
  return bail();
}

/** A map literal key: CEL takes string, int and bool keys, and integral doubles as ints. */
export function mapKey(k: unknown): string | bigint | boolean {
  switch (typeof k) {
    case 'string': case 'bigint': case 'boolean': return k;
    case 'number': return Number.isInteger(k) ? BigInt(k) : bail();
    default: return bail();
  }
}

function isScalar(v: unknown): boolean {
  const t = typeof v;
  return v === null || t === 'string' || t === 'number' || t === 'boolean' || t === 'bigint';
}

/** CEL `==` on scalars (numbers compare across int and double); containers and bytes go to the full evaluator. */
export function equalsScalar(l: unknown, r: unknown): boolean {
  if (!isScalar(l) || !isScalar(r)) return bail();
  if (l === r) return true;
  const tl = typeof l;
  const tr = typeof r;
  // eslint-disable-next-line eqeqeq
  return (tl === 'number' || tl === 'bigint') && (tr === 'number' || tr === 'bigint') && (l as number) == (r as number);
}

/** The int range CEL checks after int arithmetic; out of range is an overflow error. */
export function safeInt(v: bigint): bigint {
  return v >= MIN_INT && v <= MAX_INT ? v : bail();
}

type Arith = (a: number, b: number) => number;
type IntArith = (a: bigint, b: bigint) => bigint;

/**
 * An arithmetic operator with the env's overloads: int op int (checked),
 * double op double, and the mixed int/double overloads of cel-expression.ts
 * (mixedArithmetic), which convert the int with Number().
 */
export function arithmetic(int: IntArith, dbl: Arith): (l: unknown, r: unknown) => unknown {
  return (l, r) => {
    const tl = typeof l;
    const tr = typeof r;
    if (tl === 'bigint') {
      if (tr === 'bigint') return int(l as bigint, r as bigint);
      if (tr === 'number') return dbl(Number(l), r as number);
    } else if (tl === 'number') {
      if (tr === 'number') return dbl(l as number, r as number);
      if (tr === 'bigint') return dbl(l as number, Number(r));
    }
    return bail();
  };
}

/** `+`: the arithmetic overloads, plus string and list concatenation. */
export function makeAdd(): (l: unknown, r: unknown) => unknown {
  const numeric = arithmetic((a, b) => safeInt(a + b), (a, b) => a + b);
  return (l, r) => {
    if (typeof l === 'string') return typeof r === 'string' ? l + r : bail();
    if (Array.isArray(l)) return Array.isArray(r) ? l.concat(r) : bail();
    return numeric(l, r);
  };
}

/** `%`: ints only (no double or mixed overload exists). */
export function modulo(l: unknown, r: unknown): bigint {
  if (typeof l !== 'bigint' || typeof r !== 'bigint' || r === 0n) return bail();
  return l % r;
}

/** int division truncates; by zero and MIN_INT / -1 are errors. */
export function intDivide(a: bigint, b: bigint): bigint {
  return b === 0n ? bail() : safeInt(a / b);
}

/** Unary minus on int (checked) or double. */
export function negate(v: unknown): unknown {
  if (typeof v === 'bigint') return safeInt(-v);
  if (typeof v === 'number') return -v;
  return bail();
}

type Cmp = (a: never, b: never) => boolean;

/**
 * An ordering operator with the std overloads: same-type bool, double,
 * string, int; mixed int/double compare after Number() (as the library does,
 * lossy for huge ints). Bytes and anything else go to the full evaluator.
 */
export function comparison(cmp: Cmp): (l: unknown, r: unknown) => boolean {
  const c = cmp as (a: unknown, b: unknown) => boolean;
  return (l, r) => {
    const tl = typeof l;
    const tr = typeof r;
    if (tl === tr && (tl === 'number' || tl === 'string' || tl === 'bigint' || tl === 'boolean')) return c(l, r);
    if (tl === 'bigint' && tr === 'number') return c(Number(l), r);
    if (tl === 'number' && tr === 'bigint') return c(l, Number(r));
    return bail();
  };
}

/** `size()`: code points of a string, entries of a list or map, bytes of bytes; an int. */
export function sizeOf(v: unknown): bigint {
  if (typeof v === 'string') {
    let n = 0;
    for (const _ of v) n++; // code points, as [...s].length
    return BigInt(n);
  }
  if (typeof v !== 'object' || v === null) return bail();
  if (Array.isArray(v) || v instanceof Uint8Array) return BigInt(v.length);
  if (v instanceof Map) return BigInt(v.size);
  return BigInt(Object.keys(v).length);
}

/** `x in list` with scalars (CEL equality), `"k" in map` with map `has` semantics. */
export function inOp(x: unknown, c: unknown): boolean {
  if (Array.isArray(c)) {
    if (!isScalar(x)) return bail();
    for (let i = 0; i < c.length; i++) {
      const e = c[i] as unknown;
      if (e === undefined) return bail();
      if (equalsScalar(x, fromRaw(e))) return true;
    }
    return false;
  }
  if (typeof x === 'string' && isMapLike(c)) return hasField(c, x);
  return bail();
}

/** `int(x)` as the std conversion: ints as they are, doubles truncated (in range), strings through BigInt(). */
export function toInt(v: unknown): bigint {
  switch (typeof v) {
    case 'bigint': return v;
    case 'number': return Number.isFinite(v) && v > MIN_INT_DOUBLE && v < MAX_INT_DOUBLE ? BigInt(Math.trunc(v)) : bail();
    case 'string': {
      let n: bigint;
      try {
        n = BigInt(v);
      } catch {
        return bail();
      }
      return safeInt(n);
    }
    default: return bail();
  }
}

const MIN_INT_DOUBLE = Number(MIN_INT);
const MAX_INT_DOUBLE = Number(MAX_INT);

/** `double(x)`: doubles as they are, ints and strings through Number() (so "abc" is NaN, as in the std conversion). */
export function toDouble(v: unknown): number {
  switch (typeof v) {
    case 'number': return v;
    case 'bigint': case 'string': return Number(v);
    default: return bail();
  }
}

/** `string(x)` of a string, bool, int or double (JS formatting, as the std conversion). */
export function toStringValue(v: unknown): string {
  switch (typeof v) {
    case 'string': return v;
    case 'boolean': case 'bigint': case 'number': return v.toString();
    default: return bail();
  }
}

/** `lowerAscii()` / `upperAscii()` of the strings extension: only ASCII letters change case. */
export function asciiCase(upper: boolean): (target: unknown) => string {
  const letters = upper ? /[a-z]+/g : /[A-Z]+/g;
  return (target) => {
    if (typeof target !== 'string') return bail();
    return target.replace(letters, (run) => (upper ? run.toUpperCase() : run.toLowerCase()));
  };
}

/** A string method with one string argument (contains, startsWith, endsWith). */
export function stringMethod(f: (this: string, arg: string) => boolean): (target: unknown, arg: unknown) => boolean {
  return (target, arg) => (typeof target === 'string' && typeof arg === 'string' ? f.call(target, arg) : bail());
}

/**
 * A fast-path value as the evaluator's result: what `fromCel(toCel(v))`
 * gives: maps become plain objects (keys through String), lists arrays, ints
 * numbers when exact, bytes Buffers.
 */
export function toPlain(v: unknown, depth = 0): unknown {
  switch (typeof v) {
    case 'string': case 'number': case 'boolean': return v;
    case 'bigint': return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
    case 'undefined': return null;
    case 'object': break;
    default: return bail();
  }
  if (v === null) return null;
  if (depth > MAX_DEPTH) return bail();
  if (v instanceof Uint8Array) return Buffer.isBuffer(v) ? v : Buffer.from(v);
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      const e = v[i] as unknown;
      if (e === undefined) return bail(); // a hole or undefined element: @bufbuild/cel throws or sees null
      out[i] = toPlain(fromRaw(e), depth + 1);
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  if (v instanceof Map) {
    for (const [k, e] of v) {
      const t = typeof k;
      if ((t !== 'string' && t !== 'bigint' && t !== 'boolean' && t !== 'number') || k === '__proto__' || e === undefined) return bail();
      out[String(k)] = toPlain(fromRaw(e), depth + 1);
    }
    return out;
  }
  fromRaw(v);
  for (const k of Object.keys(v)) {
    if (k === '__proto__') return bail();
    out[k] = toPlain(fromRaw((v as Record<string, unknown>)[k]), depth + 1);
  }
  return out;
}
