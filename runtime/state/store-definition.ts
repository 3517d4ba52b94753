import type { StoreSerde } from './store-serde';

/**
 * A store a task needs, as the topology declares it. Layers are chosen here:
 * `changelog` adds the change-logging layer, `cache` the write-back cache
 * (default on), and TaskStores' `metrics` option the metered instruments.
 */
export interface StoreDefinition {
  readonly name: string;
  /** Log every committed change to `<app>-<store>-changelog` so the store can be restored. */
  readonly changelog: boolean;
  /** Write-back cache between the store and RocksDB (default true). */
  readonly cache?: boolean;
  /** Cache bound in entries (default 10,000). */
  readonly cacheEntries?: number;
  /** Default: {@link structuredKeySerde} (order-preserving JSON-like keys). */
  readonly keySerde?: StoreSerde<any>;
  /** Default: {@link jsonValueSerde}. */
  readonly valueSerde?: StoreSerde<any>;
}
