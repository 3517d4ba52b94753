import type { StoreSerde } from './store-serde';

/*
 * Order-preserving encoding (the idea of tuple layers in ordered key-value
 * stores): byte order of the encodings equals the natural order of the
 * values, so `range` over numbers and strings behaves as a user expects.
 *
 *   null      01
 *   false     02            true 03
 *   number    10 + 8 bytes: IEEE-754 big-endian, sign bit flipped for >= 0,
 *                 all bits flipped for < 0 (so -1 < -0.5 < 0 < 2 < 10)
 *   string    20 + UTF-8 with 00 escaped as 01 01 and 01 as 01 02 + terminator 00
 *   Buffer    30 + bytes, escaped and terminated like strings
 *   array     40 + elements + 00
 *   object    50 + (key as string, value)* in sorted key order + 00
 *
 * Types sort null < booleans < numbers < strings < buffers < arrays < objects.
 * The terminators make the encoding prefix-free: no encoded key is a prefix of
 * another, which the window store relies on (key bytes + 8-byte window start).
 */

const TAG_NULL = 0x01;
const TAG_FALSE = 0x02;
const TAG_TRUE = 0x03;
const TAG_NUMBER = 0x10;
const TAG_STRING = 0x20;
const TAG_BYTES = 0x30;
const TAG_ARRAY = 0x40;
const TAG_OBJECT = 0x50;

/** A key the structured encoding accepts. */
export type StructuredKey =
  | null | boolean | number | string | Buffer
  | readonly StructuredKey[]
  | { readonly [field: string]: StructuredKey };

class Writer {
  buf = Buffer.allocUnsafe(64);
  len = 0;

  ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + extra));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  escaped(bytes: Buffer): void {
    this.ensure(bytes.length * 2);
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (b > 1) {
        this.buf[this.len++] = b;
      } else {
        this.buf[this.len++] = 0x01;
        this.buf[this.len++] = b + 1;
      }
    }
  }

  result(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.len));
  }
}

function encodeNumber(w: Writer, n: number): void {
  if (Number.isNaN(n)) throw new TypeError('NaN cannot be a store key');
  w.ensure(9);
  w.buf[w.len] = TAG_NUMBER;
  w.buf.writeDoubleBE(n === 0 ? 0 : n, w.len + 1);
  if ((w.buf[w.len + 1] & 0x80) === 0) {
    w.buf[w.len + 1] ^= 0x80;
  } else {
    for (let i = 1; i <= 8; i++) w.buf[w.len + i] ^= 0xff;
  }
  w.len += 9;
}

function encode(w: Writer, value: unknown, terminate: boolean): void {
  if (value === null) return w.byte(TAG_NULL);
  switch (typeof value) {
    case 'boolean':
      return w.byte(value ? TAG_TRUE : TAG_FALSE);
    case 'number':
      return encodeNumber(w, value);
    case 'string':
      w.byte(TAG_STRING);
      w.escaped(Buffer.from(value, 'utf8'));
      if (terminate) w.byte(0);
      return;
    case 'object':
      break;
    default:
      throw new TypeError(`a store key cannot contain a ${typeof value}`);
  }
  if (Buffer.isBuffer(value)) {
    w.byte(TAG_BYTES);
    w.escaped(value);
    if (terminate) w.byte(0);
  } else if (Array.isArray(value)) {
    w.byte(TAG_ARRAY);
    for (const element of value) encode(w, element, true);
    if (terminate) w.byte(0);
  } else {
    w.byte(TAG_OBJECT);
    const record = value as Record<string, unknown>;
    for (const field of Object.keys(record).sort()) {
      if (record[field] === undefined) continue;
      encode(w, field, true);
      encode(w, record[field], true);
    }
    if (terminate) w.byte(0);
  }
}

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  unescaped(): Buffer {
    const parts: number[] = [];
    for (;;) {
      if (this.pos >= this.buf.length) throw new RangeError('structured key ends inside a string');
      const b = this.buf[this.pos++];
      if (b === 0) return Buffer.from(parts);
      if (b === 1) {
        const escaped = this.buf[this.pos++];
        if (escaped !== 1 && escaped !== 2) throw new RangeError(`bad escape in structured key at byte ${this.pos - 1}`);
        parts.push(escaped - 1);
      } else {
        parts.push(b);
      }
    }
  }

  value(): StructuredKey {
    const tag = this.buf[this.pos++];
    switch (tag) {
      case TAG_NULL: return null;
      case TAG_FALSE: return false;
      case TAG_TRUE: return true;
      case TAG_NUMBER: {
        const raw = Buffer.from(this.buf.subarray(this.pos, this.pos + 8));
        if (raw[0] & 0x80) raw[0] ^= 0x80;
        else for (let i = 0; i < 8; i++) raw[i] ^= 0xff;
        this.pos += 8;
        return raw.readDoubleBE(0);
      }
      case TAG_STRING: return this.unescaped().toString('utf8');
      case TAG_BYTES: return this.unescaped();
      case TAG_ARRAY: {
        const items: StructuredKey[] = [];
        while (this.buf[this.pos] !== 0) items.push(this.value());
        this.pos++;
        return items;
      }
      case TAG_OBJECT: {
        const out: Record<string, StructuredKey> = {};
        while (this.buf[this.pos] !== 0) {
          const field = this.value();
          out[field as string] = this.value();
        }
        this.pos++;
        return out;
      }
      default:
        throw new RangeError(`not a structured key: tag 0x${(tag ?? 0).toString(16)} at byte ${this.pos - 1}`);
    }
  }
}

/**
 * The default key serde of every store: an order-preserving, prefix-free
 * encoding of JSON-like keys (null, booleans, numbers, strings, Buffers,
 * arrays, plain objects). Numbers sort numerically (also negatives), strings
 * by code point, arrays element by element, so `range(['u1', 0], ['u1', 100])`
 * selects what it says. `prefix('user:')` matches every string key starting
 * with `user:`; `prefix(['u1'])` matches every array key whose first element
 * is `'u1'`.
 */
export const structuredKeySerde: StoreSerde<unknown> = {
  serialize(value: unknown): Buffer {
    // The common cases skip the general writer: they are on every store call.
    if (typeof value === 'string') {
      const utf8 = Buffer.from(value, 'utf8');
      if (!utf8.includes(0) && !utf8.includes(1)) {
        const out = Buffer.allocUnsafe(utf8.length + 2);
        out[0] = TAG_STRING;
        utf8.copy(out, 1);
        out[out.length - 1] = 0;
        return out;
      }
    }
    const w = new Writer();
    encode(w, value, true);
    return w.result();
  },
  deserialize(bytes: Buffer): unknown {
    const r = new Reader(bytes);
    const value = r.value();
    if (r.pos !== bytes.length) throw new RangeError(`structured key has ${bytes.length - r.pos} trailing bytes`);
    return value;
  },
  prefix(value: unknown): Buffer {
    const w = new Writer();
    encode(w, value, false);
    return w.result();
  },
};
