import type { KeyValueStore } from '../../core/key-value-store';

/**
 * A batch's view of a store: every key the batch touches is read with one
 * `getMany`, records are processed against the in-memory copy, and the
 * changed entries are written back once at the end of the batch.
 */
export class BatchCache<K, V> {
  private readonly values = new Map<string, { key: K; value: V | undefined }>();
  private readonly dirty = new Set<string>();

  constructor(private readonly store: KeyValueStore<K, V>, private readonly id: (key: K) => string = defaultId) {}

  /** Reads every key not read yet in one multi-get. */
  async load(keys: Iterable<K>): Promise<void> {
    const missing: K[] = [];
    const seen = new Set<string>();
    for (const key of keys) {
      const id = this.id(key);
      if (this.values.has(id) || seen.has(id)) continue;
      seen.add(id);
      missing.push(key);
    }
    if (missing.length === 0) return;
    const found = await this.store.getMany(missing);
    missing.forEach((key, i) => this.values.set(this.id(key), { key, value: found[i] }));
  }

  /** The value of a loaded key; throws if `load` was not called for it (a bug, not bad input). */
  get(key: K): V | undefined {
    const entry = this.values.get(this.id(key));
    if (!entry) throw new Error(`BatchCache: key ${this.id(key)} read before load`);
    return entry.value;
  }

  set(key: K, value: V | undefined): void {
    const id = this.id(key);
    this.values.set(id, { key, value });
    this.dirty.add(id);
  }

  /** Writes changed entries (undefined deletes) into the store's buffered writes. */
  flush(): void {
    for (const id of this.dirty) {
      const entry = this.values.get(id)!;
      if (entry.value === undefined) this.store.delete(entry.key);
      else this.store.put(entry.key, entry.value);
    }
    this.dirty.clear();
  }
}

function defaultId(key: unknown): string {
  if (typeof key === 'string') return `s${key}`;
  if (Buffer.isBuffer(key)) return `b${key.toString('base64')}`;
  return `j${JSON.stringify(key)}`;
}
