/**
 * What every inner layer of a store (RocksDB, change-logging, caching) offers
 * the layer above it: bytes in, bytes out. Only the outer metered layer knows
 * the key and value types.
 *
 * Writes are buffered (`put` is synchronous, `null` deletes) and move one layer
 * down on `flush`; the RocksDB layer keeps them in a write batch that
 * {@link TaskStores.flush} writes for all stores of a task at once.
 */
export interface BytesStore {
  readonly name: string;
  /** What this layer adds, so the builder and tests need not probe with instanceof. */
  readonly layer: StoreLayerKind;
  get(key: Buffer): Promise<Buffer | undefined>;
  getMany(keys: readonly Buffer[]): Promise<Array<Buffer | undefined>>;
  put(key: Buffer, value: Buffer | null): void;
  /** Entries with from <= key < to in byte order; either bound may be omitted. */
  range(from?: Buffer, to?: Buffer): AsyncIterable<[Buffer, Buffer]>;
  /** Push this layer's buffered writes into the layer below (then flush that one). */
  flush(): Promise<void>;
}

/** The layers a store is built from, innermost first. */
export type StoreLayerKind = 'rocksdb' | 'change-logging' | 'caching';
