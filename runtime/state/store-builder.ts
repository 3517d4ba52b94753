import type { MeterProvider } from '@opentelemetry/api';
import type { BytesStore } from './bytes-store';
import { CachingStore } from './caching-store';
import { ChangeLoggingStore } from './change-logging-store';
import { StoreInstruments } from './internal/store-instruments';
import type { KeyValueStore } from '../../core/key-value-store';
import { MeteredKeyValueStore } from './metered-store';
import { ObjectCachingStore } from './object-caching-store';
import type { RocksDbLayer } from './rocksdb-layer';
import { RocksDbStore } from './rocksdb-store';
import { jsonValueSerde } from './serde-json-value';
import { structuredCloneValueSerde } from './serde-structured-clone-value';
import { structuredKeySerde } from './serde-structured-key';
import type { StoreDefinition } from './store-definition';
import { keyRangeBytes, takePage, type KeyRange, type ScanPage } from './committed-scan';
import type { TaskDatabase } from './task-database';

/** A store assembled from its layers, with handles the task needs on its inner ones. */
export interface BuiltStore {
  readonly definition: StoreDefinition;
  /** The typed outer layer operators use. */
  readonly outer: KeyValueStore<unknown, unknown>;
  /** The top layer (a cache, or changelog, or RocksDB): `flush` starts here. */
  readonly top: { flush(): Promise<void> };
  readonly changelog?: ChangeLoggingStore;
  readonly rocksdb: RocksDbLayer;
  /**
   * Key-value stores: the committed value of a key (what RocksDB and the changelog hold), for
   * readers outside the task (interactive queries); they never see a commit in progress.
   */
  readonly readCommitted: (key: unknown) => Promise<unknown>;
  /**
   * Key-value stores: up to `limit` committed entries of `range` in the key serde's byte order
   * (see {@link keyRangeBytes}); throws a KeyRangeError for a range that cannot be scanned.
   */
  readonly scanCommitted: (range: KeyRange, limit: number) => Promise<ScanPage>;
}

/**
 * Builds one store the Kafka Streams way: metered(caching(change-logging(rocksdb))),
 * each middle layer present only when the definition asks for it; with
 * `cache: objects`, object-caching(change-logging(rocksdb)), the cache being the typed layer.
 */
export function buildStore(
  definition: StoreDefinition,
  db: TaskDatabase,
  taskId: string,
  metrics: boolean,
  meterProvider?: MeterProvider,
): BuiltStore {
  const instruments = metrics ? new StoreInstruments(definition.name, taskId, meterProvider) : undefined;
  const keySerde = definition.keySerde ?? structuredKeySerde;
  const valueSerde = definition.valueSerde ?? (definition.format === 'structured-clone' ? structuredCloneValueSerde : jsonValueSerde);
  const kv = new RocksDbStore(definition.name, db);
  const rocksdb: RocksDbLayer = kv;
  // Interactive queries read what the last commit wrote, never a write in progress.
  const readCommitted = async (key: unknown): Promise<unknown> => {
    const bytes = await kv.getCommitted(keySerde.serialize(key));
    return bytes === undefined ? undefined : valueSerde.deserialize(bytes);
  };
  const scanCommitted = (range: KeyRange, limit: number): Promise<ScanPage> => {
    const { gte, lt } = keyRangeBytes(keySerde, range);
    return takePage(kv.iterateCommitted(gte, lt), limit, (k, v) => ({ key: keySerde.deserialize(k), value: valueSerde.deserialize(v), order: k }));
  };
  let bytes: BytesStore = rocksdb;
  let changelog: ChangeLoggingStore | undefined;
  if (definition.changelog) {
    changelog = new ChangeLoggingStore(bytes);
    bytes = changelog;
  }
  const cache = definition.cache ?? 'bytes';
  const entries = definition.cacheEntries ?? 10_000;
  if (cache === 'objects') {
    // The typed layer is the cache itself: values stay objects until the commit.
    const outer = new ObjectCachingStore(bytes, keySerde, valueSerde, entries, instruments);
    return { definition, outer, top: outer, changelog, rocksdb, readCommitted, scanCommitted };
  }
  if (cache === 'bytes') bytes = new CachingStore(bytes, entries, instruments);
  const outer = new MeteredKeyValueStore(bytes, keySerde, valueSerde, instruments);
  return { definition, outer, top: bytes, changelog, rocksdb, readCommitted, scanCommitted };
}
