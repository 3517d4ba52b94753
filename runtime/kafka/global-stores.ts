import type { CompiledTopology } from '../../topology/compiled-topology';
import type { Logger } from '../../core/logger';
import type { StoreProvider } from '../processing/task-pipeline';
import { GlobalStore, type GlobalEntry } from '../state/global-store';
import { GlobalStoreUpdater, type GlobalRecordDecoder, type GlobalRestoreSummary } from '../state/global-store-updater';
import type { KeyValueStore } from '../../core/key-value-store';
import { jsonValueSerde } from '../state/serde-json-value';
import { structuredKeySerde } from '../state/serde-structured-key';
import type { KafkaClient, KafkaProducer } from './client/kafka-client';
import { deadLetterMessage, type DeadLetter } from './dead-letter';
import { decodeBatch, type TopicDecoding } from './record-decoder';
import { jsonSerde } from '../../schemas/serde-json';
import type { TopicCodecs } from './topic-codecs';
import { topicCompression } from './topic-compression';

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

/** Writes dead letters of global store sources to the application's dead-letter topic. */
export type GlobalDeadLetters = (letters: readonly DeadLetter[]) => Promise<void>;

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
    /** Produces dead letters; present when a global source's `onError` is `dead-letter`. */
    private producer?: KafkaProducer,
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
      const deadLetters = await all.deadLetterSink(options, declared.map((s) => s.global!.topic));
      for (const s of declared) {
        const store = await GlobalStore.open({ stateDir: topology.processing.stateDir, appId: topology.name, name: s.name, topic: s.global!.topic, metrics: true });
        stores.set(s.name, store);
        const decoding = options.codecs.decoding.get(store.topic);
        if (decoding === undefined) throw new Error(`no decoding for topic ${store.topic} (source ${s.global!.source})`);
        updaters.push(new GlobalStoreUpdater({
          client: options.client, store, decode: globalRecordDecoder(decoding, logger, deadLetters), metrics: true,
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
    await this.producer?.close().catch(() => undefined);
  }

  /**
   * A producer to the dead-letter topic when a global source dead-letters bad records. Not
   * transactional: a global store has no offsets to commit with it, so a record read again
   * after a crash (from the last checkpoint) may be dead-lettered twice — never lost.
   */
  private async deadLetterSink(options: GlobalStoresOptions, topics: readonly string[]): Promise<GlobalDeadLetters | undefined> {
    if (!topics.some((t) => options.codecs.decoding.get(t)?.onError === 'dead-letter')) return undefined;
    const producer = await options.client.producer();
    this.producer = producer;
    const topic = options.topology.processing.deadLetterTopic;
    const compression = topicCompression(options.topology)(topic);
    return async (letters) => {
      await producer.send([{ topic, messages: letters.map(deadLetterMessage) }], compression);
    };
  }
}

/**
 * Decodes a global source's records with the source's serdes into store
 * entries: key → value, a null value deletes. Records without a key are
 * dropped with a warning (a table has no row for them), as Kafka Streams'
 * global stores do. Records that do not decode, or whose value cannot be
 * stored, follow the source's `onError`: `fail` stops the app, `skip` drops
 * them (counted as skipped), `dead-letter` writes them to the dead-letter
 * topic (with `deadLetters`) before the batch reaches the store.
 */
export function globalRecordDecoder(decoding: TopicDecoding, logger: Logger, deadLetters?: GlobalDeadLetters): GlobalRecordDecoder {
  let warnedAt = -Infinity;
  const warn = (message: string, fields: Record<string, unknown>): void => {
    // At most one line every 10 s: a flood of bad records must not flood the log.
    if (Date.now() - warnedAt < 10_000) return;
    warnedAt = Date.now();
    logger.warn(message, { topic: decoding.topic, ...fields });
  };
  // A JSON value is stored as the bytes it arrived in (they parsed, so they are the JSON the
  // store's serde would write, up to spacing): no second serialisation in every process. The
  // value they parsed to goes along, for the read cache.
  const keepBytes = decoding.value === jsonSerde;
  return async (partition, messages) => {
    const { records, poison } = await decodeBatch(decoding, partition, messages);
    const letters: DeadLetter[] = [...poison];
    const entries: GlobalEntry[] = [];
    let m = 0; // records and messages are both in offset order
    for (const r of records) {
      if (r.key === null || r.key === undefined) {
        warn('global store source record has no key; dropped', { partition, offset: r.source?.offset });
        continue;
      }
      try {
        const key = structuredKeySerde.serialize(r.key);
        if (r.value === null || r.value === undefined) {
          entries.push({ key, value: null });
          continue;
        }
        if (keepBytes) {
          while (m < messages.length && messages[m].offset !== r.source?.offset) m++;
          const bytes = messages[m]?.value;
          if (bytes) {
            entries.push({ key, value: bytes, decoded: r.value });
            continue;
          }
        }
        entries.push({ key, value: jsonValueSerde.serialize(r.value) });
      } catch (error) {
        if (decoding.onError === 'fail') throw error;
        const offset = r.source?.offset ?? '-1';
        if (decoding.onError === 'skip') {
          decoding.onSkip?.({ topic: decoding.topic, partition, offset, error });
          continue;
        }
        const message = messages.find((m) => m.offset === offset);
        letters.push({ stage: 'serialize', error, stepId: 'global-store', topic: decoding.topic, partition, offset, key: message?.key ?? null, value: message?.value ?? null, headers: message?.headers });
      }
    }
    if (letters.length > 0) {
      // Written before the batch is applied (and its position checkpointed): a failed write reads the batch again.
      if (deadLetters === undefined) throw new Error(`global store source ${decoding.topic}: ${letters.length} bad record(s) and no dead-letter producer`);
      await deadLetters(letters);
      warn('global store source records sent to the dead-letter topic', { partition, count: letters.length, first: letters[0].error });
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
