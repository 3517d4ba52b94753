import type { CompiledTopology } from '../../topology/compiled-topology';
import type { Logger } from '../../core/logger';
import type { StoreProvider } from '../processing/task-pipeline';
import { GlobalStore } from '../state/global-store';
import { GlobalStoreUpdater, type GlobalRecordDecoder, type GlobalRestoreSummary } from '../state/global-store-updater';
import type { KeyValueStore } from '../../core/key-value-store';
import type { RestoredEntry } from '../state/rocksdb-layer';
import { jsonValueSerde } from '../state/serde-json-value';
import { structuredKeySerde } from '../state/serde-structured-key';
import type { KafkaClient } from './client/kafka-client';
import { decodeBatch, type TopicDecoding } from './record-decoder';
import type { TopicCodecs } from './topic-codecs';

/** Options of {@link GlobalStores.start}. */
export interface GlobalStoresOptions {
  readonly topology: CompiledTopology;
  readonly client: KafkaClient;
  readonly codecs: TopicCodecs;
  readonly logger: Logger;
  /** Told when a store cannot be kept current any more (the app must stop). */
  readonly onFailure: (error: unknown) => void;
  /** Restore progress lines/bars (default true). */
  readonly progress?: boolean;
}

/**
 * The global stores of one process (Kafka Streams' global state stores,
 * GlobalKTable): each is filled from every partition of its source topic,
 * restored before the process's tasks start and kept current while they
 * run, and shared by all tasks read-only. {@link StreamApp} starts them
 * before it joins the consumer group.
 */
export class GlobalStores implements StoreProvider {
  private constructor(
    private readonly stores: ReadonlyMap<string, GlobalStore>,
    private readonly updaters: readonly GlobalStoreUpdater[],
  ) {}

  /**
   * Opens every global store of the topology and restores them all (in
   * parallel) to their topics' ends; resolves once they are, with each
   * store following its topic from then on. Undefined when there are none.
   */
  static async start(options: GlobalStoresOptions): Promise<GlobalStores | undefined> {
    const { topology, logger } = options;
    const declared = Object.values(topology.stores).filter((s) => s.global !== undefined);
    if (declared.length === 0) return undefined;
    const stores = new Map<string, GlobalStore>();
    const updaters: GlobalStoreUpdater[] = [];
    const all = new GlobalStores(stores, updaters);
    try {
      for (const s of declared) {
        const store = await GlobalStore.open({ stateDir: topology.processing.stateDir, appId: topology.name, name: s.name, topic: s.global!.topic, metrics: true });
        stores.set(s.name, store);
        const decoding = options.codecs.decoding.get(store.topic);
        if (decoding === undefined) throw new Error(`no decoding for topic ${store.topic} (source ${s.global!.source})`);
        updaters.push(new GlobalStoreUpdater({
          client: options.client, store, decode: globalRecordDecoder(decoding, logger), metrics: true,
          progress: options.progress ?? true, log: (line) => logger.info(line),
          warn: (message, fields) => logger.warn(message, fields),
        }));
      }
      const summaries = await Promise.all(updaters.map((u) => u.start(options.onFailure)));
      for (const s of summaries) logRestore(logger, s, stores.get(s.store)!);
      return all;
    } catch (error) {
      await all.close();
      throw error;
    }
  }

  /** Names of the global stores. */
  get names(): string[] {
    return [...this.stores.keys()];
  }

  has(name: string): boolean {
    return this.stores.has(name);
  }

  /** The read-only view of a global store (writes throw). */
  keyValueStore<K = unknown, V = unknown>(name: string): KeyValueStore<K, V> {
    const store = this.stores.get(name);
    if (store === undefined) throw new Error(`no global store ${JSON.stringify(name)} (global stores: ${this.names.join(', ') || 'none'})`);
    return store.view as KeyValueStore<K, V>;
  }

  /** Stops following the topics and closes the stores. */
  async close(): Promise<void> {
    for (const u of this.updaters) await u.stop().catch(() => undefined);
    for (const s of this.stores.values()) await s.close().catch(() => undefined);
  }
}

/**
 * Decodes a global source's records with the source's serdes into store
 * entries: key → value, a null value deletes. Records without a key are
 * dropped (a table has no row for them), as Kafka Streams' global stores do;
 * so are records that do not decode, or whose value cannot be stored, under
 * the source's `onError` (`fail` stops the app; `dead-letter` and `skip` drop
 * the record with a warning: a global store has no dead-letter path of its own).
 */
export function globalRecordDecoder(decoding: TopicDecoding, logger: Logger): GlobalRecordDecoder {
  let warnedAt = -Infinity;
  const warn = (message: string, fields: Record<string, unknown>): void => {
    // At most one line every 10 s: a flood of bad records must not flood the log.
    if (Date.now() - warnedAt < 10_000) return;
    warnedAt = Date.now();
    logger.warn(message, { topic: decoding.topic, ...fields });
  };
  return async (partition, messages) => {
    const { records, poison } = await decodeBatch(decoding, partition, messages);
    for (const p of poison) warn('global store source record does not deserialize; dropped', { partition, offset: p.offset, error: p.error });
    const entries: RestoredEntry[] = [];
    for (const r of records) {
      if (r.key === null || r.key === undefined) {
        warn('global store source record has no key; dropped', { partition, offset: r.source?.offset });
        continue;
      }
      try {
        entries.push({ key: structuredKeySerde.serialize(r.key), value: r.value === null || r.value === undefined ? null : jsonValueSerde.serialize(r.value) });
      } catch (error) {
        if (decoding.onError === 'fail') throw error;
        warn('global store source record cannot be stored; dropped', { partition, offset: r.source?.offset, error });
      }
    }
    return entries;
  };
}

function logRestore(logger: Logger, s: GlobalRestoreSummary, store: GlobalStore): void {
  const rate = s.durationMs > 0 ? Math.round((s.records * 1000) / s.durationMs) : s.records;
  logger.info('global store restored', {
    store: s.store, topic: s.topic, partitions: s.partitions, records: s.records, ms: s.durationMs,
    recordsPerSecond: rate, localState: store.localState,
  });
}
