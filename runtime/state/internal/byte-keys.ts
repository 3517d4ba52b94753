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

/** 8-byte big-endian encoding of a non-negative safe integer (window starts, segment ids). */
export function writeUint64(target: Buffer, offset: number, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`expected a non-negative integer of milliseconds, got ${n}`);
  target.writeUInt32BE(Math.floor(n / 0x1_0000_0000), offset);
  target.writeUInt32BE(n >>> 0, offset + 4);
}

export function readUint64(source: Buffer, offset: number): number {
  return source.readUInt32BE(offset) * 0x1_0000_0000 + source.readUInt32BE(offset + 4);
}

export function uint64(n: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  writeUint64(b, 0, n);
  return b;
}
