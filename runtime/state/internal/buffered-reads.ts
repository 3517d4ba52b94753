import type { TaskDatabase } from '../task-database';

/**
 * A multi-get that answers from a layer's unflushed writes first and sends
 * only the misses to RocksDB, in one call. `buffered` returns the pending
 * value (null for a pending delete) or undefined when the key has none.
 */
export async function getManyThroughBuffer(
  keys: readonly Buffer[],
  buffered: (key: Buffer) => Buffer | null | undefined,
  physical: (key: Buffer) => Buffer,
  db: TaskDatabase,
): Promise<Array<Buffer | undefined>> {
  const out = new Array<Buffer | undefined>(keys.length);
  const missIndex: number[] = [];
  const missKeys: Buffer[] = [];
  for (let i = 0; i < keys.length; i++) {
    const pending = buffered(keys[i]);
    if (pending !== undefined) {
      out[i] = pending ?? undefined;
    } else {
      missIndex.push(i);
      missKeys.push(physical(keys[i]));
    }
  }
  const found = await db.getMany(missKeys);
  for (let j = 0; j < missIndex.length; j++) out[missIndex[j]] = found[j];
  return out;
}
