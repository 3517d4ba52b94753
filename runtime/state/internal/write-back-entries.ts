/** One key of a write-back cache: its serialized key, its value as the cache holds it, whether the layer below lacks it. */
export interface WriteBackEntry<T> {
  /** The caller's key bytes, kept so a write-down does not convert back. */
  readonly key: Buffer;
  value: T;
  dirty: boolean;
  /** Used since eviction last passed it: it goes to the back once instead of out. */
  used: boolean;
}

/**
 * The entries of a write-back cache, what the cache of bytes and the cache of
 * objects share: least recently used first out, bounded by count, a dirty
 * entry handed to `writeDown` when it leaves or at {@link flushDirty}. Keys
 * are {@link keyString}s of the serialized keys; Map order is recency order.
 */
export class WriteBackEntries<T> {
  private readonly entries = new Map<string, WriteBackEntry<T>>();
  private dirtyCount = 0;

  constructor(private readonly maxEntries: number, private readonly writeDown: (entry: WriteBackEntry<T>) => void) {}

  /** Entries held (clean and dirty). */
  get size(): number {
    return this.entries.size;
  }

  /** The entry of `k` without moving it (a read racing a write checks whether the write landed). */
  peek(k: string): WriteBackEntry<T> | undefined {
    return this.entries.get(k);
  }

  /** The entry of `k`, marked as used. */
  use(k: string): WriteBackEntry<T> | undefined {
    const entry = this.entries.get(k);
    if (entry !== undefined) entry.used = true;
    return entry;
  }

  /** Keeps what a read found below (clean). */
  remember(k: string, key: Buffer, value: T): void {
    this.entries.set(k, { key, value, dirty: false, used: false });
    this.evict();
  }

  /** Keeps a write (dirty until written down). */
  write(k: string, key: Buffer, value: T): void {
    const entry = this.use(k);
    if (entry !== undefined) {
      if (!entry.dirty) this.dirtyCount++;
      entry.value = value;
      entry.dirty = true;
      return;
    }
    this.entries.set(k, { key, value, dirty: true, used: false });
    this.dirtyCount++;
    this.evict();
  }

  /** Writes every dirty entry down, oldest first, and marks it clean. */
  flushDirty(): void {
    if (this.dirtyCount === 0) return;
    for (const entry of this.entries.values()) {
      if (!entry.dirty) continue;
      this.writeDown(entry);
      entry.dirty = false;
      this.dirtyCount--;
    }
  }

  /** The dirty entries' values (as `view` shows them) by key, which a range read merges over the layer below. */
  dirtyOverlay<U>(view: (value: T) => U): Map<string, U> {
    const overlay = new Map<string, U>();
    if (this.dirtyCount === 0) return overlay;
    for (const [k, entry] of this.entries) if (entry.dirty) overlay.set(k, view(entry.value));
    return overlay;
  }

  private evict(): void {
    while (this.entries.size > this.maxEntries) {
      const [k, entry] = this.entries.entries().next().value as [string, WriteBackEntry<T>];
      this.entries.delete(k);
      if (entry.used) {
        entry.used = false;
        this.entries.set(k, entry);
        continue;
      }
      if (entry.dirty) {
        this.dirtyCount--;
        this.writeDown(entry);
      }
    }
  }
}
