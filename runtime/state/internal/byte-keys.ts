/** Helpers for byte-ordered keys shared by the store layers. */

/** Map key for a Buffer whose string order equals the bytes' order (latin1: one char per byte). */
export function keyString(key: Buffer): string {
  return key.toString('latin1');
}

export function keyBuffer(key: string): Buffer {
  return Buffer.from(key, 'latin1');
}

/** The smallest key greater than every key starting with `prefix`, or undefined if there is none. */
export function prefixEnd(prefix: Buffer): Buffer | undefined {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i]++;
      return end.subarray(0, i + 1);
    }
  }
  return undefined;
}
