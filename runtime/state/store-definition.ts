import type { StoreSerde } from './store-serde';

/**
 * The write-back cache of a store: `bytes` (the default, Kafka Streams' record
 * cache: values copied at every read and write), `objects` (values kept as
 * objects, serialized at the commit: Flink's heap-state rule, see
 * object-caching-store.ts), or `none`.
 */
export type StoreCacheKind = 'bytes' | 'objects' | 'none';

/** How a store writes its values to RocksDB and the changelog (it reads both): see serde-structured-clone-value.ts. */
export type StoreValueFormat = 'json' | 'structured-clone';

/**
 * A store a task needs, as the topology declares it. Layers are chosen here:
 * `changelog` adds the change-logging layer, `cache` the write-back cache
 * (bytes by default), and TaskStores' `metrics` option the metered instruments.
 */
export interface StoreDefinition {
  readonly name: string;
  /** Log every committed change to `<app>-<store>-changelog` so the store can be restored. */
  readonly changelog: boolean;
  /** Write-back cache between the store and RocksDB (default `bytes`). */
  readonly cache?: StoreCacheKind;
  /** Cache bound in entries (default 10,000). */
  readonly cacheEntries?: number;
  /** Default: {@link structuredKeySerde} (order-preserving JSON-like keys). */
  readonly keySerde?: StoreSerde<any>;
  /** Value format (default json); a `valueSerde` overrides it. */
  readonly format?: StoreValueFormat;
  /** Default: the serde of `format`. */
  readonly valueSerde?: StoreSerde<any>;
}
