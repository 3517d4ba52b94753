import type { BytesStore } from './bytes-store';
import { StateStoreError } from './errors';
import { keyString, prefixEnd } from './internal/byte-keys';
import type { StoreInstruments } from './internal/store-instruments';
import { overlayRange } from './internal/overlay';
import { WriteBackEntries, type WriteBackEntry } from './internal/write-back-entries';
import type { KeyValueStore } from '../../core/key-value-store';
import type { StoreSerde } from './store-serde';

/** Stands for a dirty value in a range merge: the merge needs only to know the key is written. */
const WRITTEN = Buffer.alloc(0);

/**
 * The write-back cache of a store declared `cache: objects`: it keeps the
 * values themselves, not their bytes. A read of a held key returns the very
 * object the cache holds (no parse); a put keeps the object and the value is
 * serialized once, when the task commits (or when the entry is evicted), not
 * at every put. For a key updated many times per commit, as a user's features
 * are on every engagement, both the parse of every read and the serialization
 * of every write go away (the flagship's JSON state values took 12 % of its
 * thread at 5,000 events/s).
 *
 * The price is Flink's heap-state rule, which the topology opts into: a step
 * must not change an object it read or wrote unless it puts it again before
 * the commit (the change would be seen by later reads, and written at the
 * commit only if the key is dirty), and what is written is the object as it
 * is at the commit. The default (`cache: bytes`, {@link CachingStore}) copies
 * on every read and write, as Kafka Streams does.
 *
 * The cache dies with its task: a failed batch or commit closes the task and
 * the next owner reads what was committed. Bounded by entry count, least
 * recently used first out; a dirty entry is serialized and written to the
 * layer below when it leaves.
 */
export class ObjectCachingStore<K, V> implements KeyValueStore<K, V> {
  /** Values as objects; undefined: no row (deleted, or not there when read). */
  private readonly entries: WriteBackEntries<V | undefined>;

  constructor(
    private readonly inner: BytesStore,
    private readonly keySerde: StoreSerde<K>,
    private readonly valueSerde: StoreSerde<V>,
    readonly maxEntries = 10_000,
    private readonly instruments?: Pick<StoreInstruments, 'reads' | 'writes' | 'hits' | 'misses'>,
  ) {
    this.entries = new WriteBackEntries(maxEntries, (entry) => this.writeDown(entry));
  }

  get name(): string {
    return this.inner.name;
  }

  async get(key: K): Promise<V | undefined> {
    return (await this.getMany([key]))[0];
  }

  async getMany(keys: readonly K[]): Promise<Array<V | undefined>> {
    this.instruments?.reads(keys.length);
    const out = new Array<V | undefined>(keys.length);
    const missIndex: number[] = [];
    const missKeys: Buffer[] = [];
    for (let i = 0; i < keys.length; i++) {
      const bytes = this.keySerde.serialize(keys[i]);
      const k = keyString(bytes);
      const hit = this.entries.use(k);
      if (hit !== undefined) {
        out[i] = hit.value;
      } else {
        missIndex.push(i);
        missKeys.push(bytes);
      }
    }
    if (keys.length > missKeys.length) this.instruments?.hits(keys.length - missKeys.length);
    if (missKeys.length === 0) return out;
    this.instruments?.misses(missKeys.length);
    const found = await this.inner.getMany(missKeys);
    for (let j = 0; j < missIndex.length; j++) {
      const k = keyString(missKeys[j]);
      // A write (or an earlier read of the same key) may have landed while RocksDB was read: it wins.
      const current = this.entries.peek(k);
      if (current !== undefined) {
        out[missIndex[j]] = current.value;
        continue;
      }
      const bytes = found[j];
      const value = bytes === undefined ? undefined : this.valueSerde.deserialize(bytes);
      out[missIndex[j]] = value;
      this.entries.remember(k, missKeys[j], value);
    }
    return out;
  }

  put(key: K, value: V): void {
    // What the serde would refuse at once is refused here, at the step, not at the commit.
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') {
      throw new TypeError(`store ${this.name}: a value must be serializable, got ${typeof value} (use delete to remove a key)`);
    }
    this.write(key, value);
  }

  delete(key: K): void {
    this.write(key, undefined);
  }

  range(from?: K, to?: K): AsyncIterable<[K, V]> {
    const fromBytes = from === undefined ? undefined : this.keySerde.serialize(from);
    const toBytes = to === undefined ? undefined : this.keySerde.serialize(to);
    return this.typed(fromBytes, toBytes);
  }

  prefixScan(prefix: K): AsyncIterable<[K, V]> {
    const start = this.keySerde.prefix ? this.keySerde.prefix(prefix) : this.keySerde.serialize(prefix);
    return this.typed(start, prefixEnd(start));
  }

  /** Serializes the dirty values into the layer below, then flushes it (the task's commit). */
  async flush(): Promise<void> {
    this.entries.flushDirty();
    await this.inner.flush();
  }

  /** Entries held (clean and dirty). */
  get size(): number {
    return this.entries.size;
  }

  private write(key: K, value: V | undefined): void {
    this.instruments?.writes(1);
    const bytes = this.keySerde.serialize(key);
    this.entries.write(keyString(bytes), bytes, value);
  }

  /**
   * Range reads merge the dirty keys over the layer below; a key the cache
   * holds is answered with its object, the others are parsed from their bytes.
   */
  private async *typed(from: Buffer | undefined, to: Buffer | undefined): AsyncGenerator<[K, V]> {
    const overlay = this.entries.dirtyOverlay((value) => (value === undefined ? null : WRITTEN), from, to);
    let n = 0;
    try {
      for await (const [k, v] of overlayRange([overlay], this.inner.range(from, to), from, to)) {
        const held = this.entries.peek(keyString(k));
        if (held !== undefined && held.value === undefined) continue; // deleted since the merge began
        n++;
        yield [this.keySerde.deserialize(k), held !== undefined ? held.value as V : this.valueSerde.deserialize(v)];
      }
    } finally {
      this.instruments?.reads(n);
    }
  }

  private writeDown(entry: WriteBackEntry<V | undefined>): void {
    let bytes: Buffer | null = null;
    if (entry.value !== undefined) {
      try {
        bytes = this.valueSerde.serialize(entry.value);
      } catch (error) {
        const key = this.describeKey(entry.key);
        throw new StateStoreError(`store ${this.name}: the value of key ${key} cannot be serialized at the commit: ${(error as Error).message}`, false, { store: this.name }, { cause: error });
      }
    }
    this.inner.put(entry.key, bytes);
  }

  private describeKey(bytes: Buffer): string {
    try {
      return JSON.stringify(this.keySerde.deserialize(bytes));
    } catch {
      return `0x${bytes.toString('hex')}`;
    }
  }
}
