import type { BytesStore, StoreLayerKind } from './bytes-store';
import { keyString } from './internal/byte-keys';
import { overlayRange } from './internal/overlay';
import { WriteBackEntries } from './internal/write-back-entries';

/** Counts the cache reports to the metered layer (wired by the store builder). */
export interface CacheListener {
  hits(n: number): void;
  misses(n: number): void;
}

/**
 * The write-back cache: writes stay here until the task commits, so repeated
 * writes to a hot key reach the changelog (and RocksDB) once per commit; reads
 * of recent keys skip RocksDB. Bounded by entry count: the least recently used
 * entries leave first, dirty ones written down to the layer below.
 */
export class CachingStore implements BytesStore {
  readonly layer: StoreLayerKind = 'caching';
  private readonly entries: WriteBackEntries<Buffer | null>;

  constructor(
    private readonly inner: BytesStore,
    readonly maxEntries = 10_000,
    private readonly listener?: CacheListener,
  ) {
    this.entries = new WriteBackEntries(maxEntries, (entry) => inner.put(entry.key, entry.value));
  }

  get name(): string {
    return this.inner.name;
  }

  async get(key: Buffer): Promise<Buffer | undefined> {
    const k = keyString(key);
    const hit = this.entries.use(k);
    if (hit !== undefined) {
      this.listener?.hits(1);
      return hit.value ?? undefined;
    }
    this.listener?.misses(1);
    const value = await this.inner.get(key);
    if (this.entries.peek(k) === undefined) this.entries.remember(k, key, value ?? null);
    return value;
  }

  async getMany(keys: readonly Buffer[]): Promise<Array<Buffer | undefined>> {
    const out = new Array<Buffer | undefined>(keys.length);
    const missIndex: number[] = [];
    const missKeys: Buffer[] = [];
    for (let i = 0; i < keys.length; i++) {
      const hit = this.entries.use(keyString(keys[i]));
      if (hit !== undefined) {
        out[i] = hit.value ?? undefined;
      } else {
        missIndex.push(i);
        missKeys.push(keys[i]);
      }
    }
    if (keys.length > missKeys.length) this.listener?.hits(keys.length - missKeys.length);
    if (missKeys.length > 0) {
      this.listener?.misses(missKeys.length);
      const found = await this.inner.getMany(missKeys);
      for (let j = 0; j < missIndex.length; j++) {
        const i = missIndex[j];
        const k = keyString(keys[i]);
        // A write may have landed while RocksDB was read: it wins.
        const current = this.entries.peek(k);
        if (current !== undefined) {
          out[i] = current.value ?? undefined;
        } else {
          out[i] = found[j];
          this.entries.remember(k, keys[i], found[j] ?? null);
        }
      }
    }
    return out;
  }

  put(key: Buffer, value: Buffer | null): void {
    this.entries.write(keyString(key), key, value);
  }

  range(from?: Buffer, to?: Buffer): AsyncIterable<[Buffer, Buffer]> {
    return overlayRange([this.entries.dirtyOverlay((value) => value, from, to)], this.inner.range(from, to), from, to);
  }

  async flush(): Promise<void> {
    this.entries.flushDirty();
    await this.inner.flush();
  }

  /** Entries held (clean and dirty). */
  get size(): number {
    return this.entries.size;
  }
}
