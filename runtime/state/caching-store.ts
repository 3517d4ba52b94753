import type { BytesStore, StoreLayerKind } from './bytes-store';
import { keyString } from './internal/byte-keys';
import { overlayRange } from './internal/overlay';

/** Counts the cache reports to the metered layer (wired by the store builder). */
export interface CacheListener {
  hits(n: number): void;
  misses(n: number): void;
}

interface CacheEntry {
  /** The caller's key bytes, kept so a flush writes them down without converting back. */
  readonly key: Buffer;
  value: Buffer | null;
  dirty: boolean;
}

/**
 * The write-back cache: writes stay here until the task commits, so repeated
 * writes to a hot key reach the changelog (and RocksDB) once per commit; reads
 * of recent keys skip RocksDB. Bounded by entry count: the least recently used
 * entries leave first, dirty ones written down to the layer below.
 */
export class CachingStore implements BytesStore {
  readonly layer: StoreLayerKind = 'caching';
  /** Map order is recency order: touching an entry moves it to the end. */
  private readonly entries = new Map<string, CacheEntry>();
  private dirtyCount = 0;

  constructor(
    private readonly inner: BytesStore,
    readonly maxEntries = 10_000,
    private readonly listener?: CacheListener,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  async get(key: Buffer): Promise<Buffer | undefined> {
    const k = keyString(key);
    const hit = this.entries.get(k);
    if (hit !== undefined) {
      this.touch(k, hit);
      this.listener?.hits(1);
      return hit.value ?? undefined;
    }
    this.listener?.misses(1);
    const value = await this.inner.get(key);
    if (!this.entries.has(k)) this.remember(k, key, value);
    return value;
  }

  async getMany(keys: readonly Buffer[]): Promise<Array<Buffer | undefined>> {
    const out = new Array<Buffer | undefined>(keys.length);
    const missIndex: number[] = [];
    const missKeys: Buffer[] = [];
    for (let i = 0; i < keys.length; i++) {
      const k = keyString(keys[i]);
      const hit = this.entries.get(k);
      if (hit !== undefined) {
        this.touch(k, hit);
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
        // A write may have landed while RocksDB was read: it wins.
        const current = this.entries.get(keyString(keys[i]));
        if (current !== undefined) {
          out[i] = current.value ?? undefined;
        } else {
          out[i] = found[j];
          this.remember(keyString(keys[i]), keys[i], found[j]);
        }
      }
    }
    return out;
  }

  put(key: Buffer, value: Buffer | null): void {
    const k = keyString(key);
    const entry = this.entries.get(k);
    if (entry !== undefined) {
      if (!entry.dirty) this.dirtyCount++;
      entry.value = value;
      entry.dirty = true;
      this.touch(k, entry);
    } else {
      this.entries.set(k, { key, value, dirty: true });
      this.dirtyCount++;
      this.evict();
    }
  }

  range(from?: Buffer, to?: Buffer): AsyncIterable<[Buffer, Buffer]> {
    return overlayRange([this.dirtyOverlay()], this.inner.range(from, to), from, to);
  }

  async flush(): Promise<void> {
    if (this.dirtyCount > 0) {
      for (const entry of this.entries.values()) {
        if (!entry.dirty) continue;
        this.inner.put(entry.key, entry.value);
        entry.dirty = false;
      }
      this.dirtyCount = 0;
    }
    await this.inner.flush();
  }

  /** Entries held (clean and dirty). */
  get size(): number {
    return this.entries.size;
  }

  /** Entries written since the last flush. */
  get dirtyEntries(): number {
    return this.dirtyCount;
  }

  /** The dirty entries, which a range read sees over the layer below. */
  private dirtyOverlay(): Map<string, Buffer | null> {
    const overlay = new Map<string, Buffer | null>();
    if (this.dirtyCount === 0) return overlay;
    for (const [k, entry] of this.entries) if (entry.dirty) overlay.set(k, entry.value);
    return overlay;
  }

  private touch(k: string, entry: CacheEntry): void {
    this.entries.delete(k);
    this.entries.set(k, entry);
  }

  private remember(k: string, key: Buffer, value: Buffer | undefined): void {
    this.entries.set(k, { key, value: value ?? null, dirty: false });
    this.evict();
  }

  private evict(): void {
    while (this.entries.size > this.maxEntries) {
      const [k, entry] = this.entries.entries().next().value as [string, CacheEntry];
      this.entries.delete(k);
      if (entry.dirty) {
        this.dirtyCount--;
        this.inner.put(entry.key, entry.value);
      }
    }
  }
}
