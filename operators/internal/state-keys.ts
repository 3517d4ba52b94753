/**
 * Keys of operator-private stores. Operators that own their store lay it out
 * in string keys with a one-letter namespace so that one range scan finds all
 * due timers: `s|…` per-key state, `t|<time>|…` timers, `m|…` operator meta.
 * Times are zero-padded so that string order is time order.
 */

/** A stable string for any record key (strings pass through, others as JSON). */
export function encodeKey(key: unknown): string {
  if (typeof key === 'string') return `s${key}`;
  if (Buffer.isBuffer(key)) return `b${key.toString('base64')}`;
  return `j${JSON.stringify(key)}`;
}

/** Inverse of {@link encodeKey}. */
export function decodeKey(encoded: string): unknown {
  const body = encoded.slice(1);
  switch (encoded[0]) {
    case 's': return body;
    case 'b': return Buffer.from(body, 'base64');
    default: return JSON.parse(body);
  }
}

const TIME_WIDTH = 16;

/** Zero-padded decimal milliseconds (non-negative times only). */
export function padTime(ms: number): string {
  return Math.max(0, Math.floor(ms)).toString().padStart(TIME_WIDTH, '0');
}

/** The store key of a record key's state in an operator-owned store. */
export function stateKey(encodedKey: string): string {
  return `s|${encodedKey}`;
}

/** The store key of an operator-wide value (stream time, timer floor). */
export function metaKey(name: string): string {
  return `m|${name}`;
}
