import { prefixEnd } from './internal/byte-keys';
import { KeyRangeError } from './errors';
import type { StoreSerde } from './store-serde';

/**
 * Which keys a scan covers, as typed keys (the store's key serde turns them into bytes):
 * `from` (inclusive) and `to` (exclusive), or every key starting with `prefix`; `after`
 * resumes a scan after the last key of the page before, given as that key's bytes (a scan's
 * continuation token: it works for keys of any type).
 */
export interface KeyRange {
  readonly from?: unknown;
  readonly to?: unknown;
  readonly prefix?: unknown;
  readonly after?: Buffer;
}

/** The serialized bounds of a {@link KeyRange}: gte <= key < lt in byte order; undefined means open. */
export interface ByteBounds {
  readonly gte?: Buffer;
  readonly lt?: Buffer;
}

/** One entry a scan found: the typed key and value, and the key's bytes (its place in the scan order). */
export interface ScannedEntry {
  readonly key: unknown;
  readonly value: unknown;
  readonly order: Buffer;
}

/** Up to `limit` entries in key order, and whether the range holds more after them. */
export interface ScanPage {
  readonly entries: ScannedEntry[];
  readonly more: boolean;
}

/**
 * The byte bounds of `range` under `serde`. Scans run in the serialized key order: for the
 * default {@link structuredKeySerde}, numbers numerically, strings by Unicode code point
 * (their UTF-8 bytes), and types in the order null < booleans < numbers < strings < bytes <
 * arrays < objects. Throws a {@link KeyRangeError} saying which bound is wrong.
 */
export function keyRangeBytes(serde: StoreSerde<unknown>, range: KeyRange): ByteBounds {
  if (range.prefix !== undefined && (range.from !== undefined || range.to !== undefined)) {
    throw new KeyRangeError('a scan takes a prefix or a from/to range, not both');
  }
  let gte: Buffer | undefined;
  let lt: Buffer | undefined;
  if (range.prefix !== undefined) {
    gte = bound('prefix', () => (serde.prefix ? serde.prefix(range.prefix) : serde.serialize(range.prefix)));
    lt = prefixEnd(gte);
  } else {
    if (range.from !== undefined) gte = bound('from', () => serde.serialize(range.from));
    if (range.to !== undefined) lt = bound('to', () => serde.serialize(range.to));
    if (gte !== undefined && lt !== undefined && Buffer.compare(gte, lt) >= 0) {
      throw new KeyRangeError("'to' must sort after 'from' (from is inclusive, to exclusive)");
    }
  }
  if (range.after !== undefined) {
    // The smallest key after `after` in byte order is `after` followed by a zero byte.
    const next = Buffer.concat([range.after, Buffer.alloc(1)]);
    if (gte === undefined || Buffer.compare(next, gte) > 0) gte = next;
  }
  return { ...(gte !== undefined ? { gte } : {}), ...(lt !== undefined ? { lt } : {}) };
}

function bound(name: string, serialize: () => Buffer): Buffer {
  try {
    return serialize();
  } catch (error) {
    throw new KeyRangeError(`'${name}' cannot be a key of this store: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Reads up to `limit` entries of `source` (sorted, already within the bounds) and one more
 * to learn whether there are more; stops the source's iterator after that.
 */
export async function takePage(
  source: AsyncIterable<[Buffer, Buffer]>,
  limit: number,
  decode: (key: Buffer, value: Buffer) => ScannedEntry,
): Promise<ScanPage> {
  const entries: ScannedEntry[] = [];
  for await (const [k, v] of source) {
    if (entries.length === limit) return { entries, more: true };
    entries.push(decode(k, v));
  }
  return { entries, more: false };
}
