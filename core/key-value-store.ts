/**
 * The typed key-value store that operators see (the outer, metered layer).
 * Inner layers (RocksDB, change-logging, caching) move bytes; see store-builder.
 *
 * Writes are buffered: `put` and `delete` are synchronous and become durable
 * (RocksDB write batch + changelog records) when the task commits. Reads see
 * the task's own unflushed writes. Reads are async because a miss goes to
 * RocksDB: read a batch's keys with one `getMany`, not one `get` per record.
 */
export interface KeyValueStore<K, V> {
  readonly name: string;
  get(key: K): Promise<V | undefined>;
  getMany(keys: readonly K[]): Promise<Array<V | undefined>>;
  put(key: K, value: V): void;
  delete(key: K): void;
  /** Entries with from <= key < to in key-byte order; either bound may be omitted. */
  range(from?: K, to?: K): AsyncIterable<[K, V]>;
  /** Entries whose serialized key starts with the serialized prefix. */
  prefixScan(prefix: K): AsyncIterable<[K, V]>;
}
