import { keyBuffer, keyString } from './byte-keys';

/**
 * Buffered writes not yet in the layer below, keyed by {@link keyString}.
 * `null` marks a delete.
 */
export type Overlay = ReadonlyMap<string, Buffer | null>;

/**
 * Merges buffered writes over a sorted range read from the layer below, so
 * range scans see the task's own unflushed writes. Later overlays win.
 */
export async function* overlayRange(
  overlays: readonly Overlay[],
  lower: AsyncIterable<[Buffer, Buffer]>,
  from?: Buffer,
  to?: Buffer,
): AsyncGenerator<[Buffer, Buffer]> {
  const fromKey = from === undefined ? undefined : keyString(from);
  const toKey = to === undefined ? undefined : keyString(to);
  const merged = new Map<string, Buffer | null>();
  for (const overlay of overlays) {
    for (const [k, v] of overlay) {
      if (fromKey !== undefined && k < fromKey) continue;
      if (toKey !== undefined && k >= toKey) continue;
      merged.set(k, v);
    }
  }
  if (merged.size === 0) {
    yield* lower;
    return;
  }
  const pending = [...merged.keys()].sort();
  let i = 0;
  for await (const entry of lower) {
    const k = keyString(entry[0]);
    while (i < pending.length && pending[i] < k) {
      const v = merged.get(pending[i])!;
      if (v !== null) yield [keyBuffer(pending[i]), v];
      i++;
    }
    if (i < pending.length && pending[i] === k) {
      const v = merged.get(k)!;
      if (v !== null) yield [entry[0], v];
      i++;
    } else {
      yield entry;
    }
  }
  for (; i < pending.length; i++) {
    const v = merged.get(pending[i])!;
    if (v !== null) yield [keyBuffer(pending[i]), v];
  }
}
