import type { MeterProvider } from '@opentelemetry/api';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointFile } from './checkpoint-file';
import { StateStoreError } from './errors';
import { prefixEnd } from './internal/byte-keys';
import { StoreInstruments } from './internal/store-instruments';
import { dataPrefix } from './internal/store-prefix';
import type { KeyValueStore } from '../../core/key-value-store';
import { MeteredKeyValueStore } from './metered-store';
import { ReadCache } from './read-cache';
import { RocksDbStore } from './rocksdb-store';
import type { RestoredEntry } from './rocksdb-layer';
import { jsonValueSerde } from './serde-json-value';
import { structuredKeySerde } from './serde-structured-key';
import { TaskDatabase, type TaskDatabaseOptions } from './task-database';

/**
 * A row the updater writes. `decoded`, when given, is what the store's value serde reads back
 * from `value` (the source decoded those very bytes as JSON): a read cache holding the key takes
 * it as the new value instead of parsing the bytes again.
 */
export interface GlobalEntry extends RestoredEntry {
  readonly decoded?: unknown;
}

/**
 * Bytes of deserialized values a global store keeps for reads (counted as
 * the bytes they were read from; in memory a parsed value takes a few times
 * that). Enough for the flagship's whole pin index at demo scale.
 */
export const GLOBAL_READ_CACHE_BYTES = 32 * 1024 * 1024;

/** Where {@link GlobalStore.open} puts a store and what it reads. */
export interface GlobalStoreOptions {
  readonly stateDir: string;
  readonly appId: string;
  readonly name: string;
  /** The source topic that fills the store. */
  readonly topic: string;
  /** Count reads on OpenTelemetry instruments (task attribute `global`). */
  readonly metrics?: boolean;
  readonly meterProvider?: MeterProvider;
  readonly rocksdb?: TaskDatabaseOptions;
}

/** How {@link GlobalStore.open} found the local copy. */
export type GlobalStateOnOpen = 'new' | 'checkpointed' | 'wiped-no-checkpoint' | 'wiped-corrupt' | 'wiped-other-topic';

/**
 * The local copy of one global store: every partition of its source topic in
 * one RocksDB instance under `<stateDir>/<app>/global-<store>/rocksdb`, and a
 * checkpoint beside it holding, per partition, the offset after the last
 * record the copy reflects (so a restart reads only what is new).
 *
 * Keys and values are stored as ordinary stores store them (structured keys,
 * JSON values), so steps read it with the same {@link KeyValueStore} calls.
 * The view steps get is read-only: `put`/`delete` throw. Only the process's
 * updater writes, with {@link apply}: one RocksDB write batch (atomic, so
 * readers see a batch whole or not at all), then the checkpoint. Records are
 * absolute (latest value per key), so re-applying some after a crash between
 * the two changes nothing.
 */
export class GlobalStore {
  private readonly positions: Map<number, string>;
  private unsaved = false;
  private savedAt = 0;
  /** How often {@link apply} rewrites the checkpoint at most (ms). */
  checkpointIntervalMs = 1_000;
  /** The read-only typed view steps use. */
  readonly view: KeyValueStore<unknown, unknown>;
  /** Deserialized values steps read, kept until the updater writes their key. */
  private readonly cache = new ReadCache(GLOBAL_READ_CACHE_BYTES);

  private constructor(
    readonly name: string,
    readonly topic: string,
    readonly dir: string,
    readonly localState: GlobalStateOnOpen,
    private readonly db: TaskDatabase,
    private readonly checkpoint: CheckpointFile,
    positions: Map<number, string>,
    instruments: StoreInstruments | undefined,
  ) {
    this.positions = positions;
    const typed = new MeteredKeyValueStore<unknown, unknown>(new RocksDbStore(name, db), structuredKeySerde, jsonValueSerde, instruments, this.cache);
    this.view = new ReadOnlyKeyValueStore(typed, topic);
  }

  /** Opens (creating when needed) the local copy; data without a checkpoint for this topic is wiped. */
  static async open(options: GlobalStoreOptions): Promise<GlobalStore> {
    for (const [what, value] of [['appId', options.appId], ['store name', options.name]] as const) {
      if (!/^[A-Za-z0-9._-]+$/.test(value) || value === '.' || value === '..') {
        throw new StateStoreError(`global store: ${what} ${JSON.stringify(value)} must be letters, digits, '.', '_' or '-' (it names a directory)`, false, { store: options.name });
      }
    }
    const dir = join(options.stateDir, options.appId, `global-${options.name}`);
    const checkpoint = new CheckpointFile(dir);
    const { localState, positions } = await GlobalStore.inspect(dir, checkpoint, options.topic);
    if (localState.startsWith('wiped')) await rm(dir, { recursive: true, force: true });
    const db = await TaskDatabase.open(join(dir, 'rocksdb'), options.rocksdb);
    const instruments = options.metrics ? new StoreInstruments(options.name, 'global', options.meterProvider) : undefined;
    return new GlobalStore(options.name, options.topic, dir, localState, db, checkpoint, positions, instruments);
  }

  private static async inspect(dir: string, file: CheckpointFile, topic: string): Promise<{ localState: GlobalStateOnOpen; positions: Map<number, string> }> {
    const exists = await stat(join(dir, 'rocksdb')).then(() => true, () => false);
    if (!exists) return { localState: 'new', positions: new Map() };
    let offsets;
    try {
      offsets = await file.read();
    } catch (error) {
      if (error instanceof StateStoreError && !error.retriable) return { localState: 'wiped-corrupt', positions: new Map() };
      throw error;
    }
    if (offsets === undefined) return { localState: 'wiped-no-checkpoint', positions: new Map() };
    const entries = [...offsets.values()];
    // The source was pointed at another topic: the copy holds another topic's rows.
    if (entries.some((o) => o.topic !== topic)) return { localState: 'wiped-other-topic', positions: new Map() };
    return { localState: 'checkpointed', positions: new Map(entries.map((o) => [o.partition, o.offset])) };
  }

  /** The next offset to read per partition (partitions never read are absent). */
  position(partition: number): string | undefined {
    return this.positions.get(partition);
  }

  /**
   * Writes a batch of decoded records (null value: delete) and moves the
   * partitions' positions. The checkpoint follows at most every
   * `checkpointIntervalMs` (and on {@link checkpointNow} and close): a copy
   * ahead of its checkpoint only reads a few records again after a crash.
   */
  async apply(entries: readonly GlobalEntry[], positions: ReadonlyArray<{ partition: number; offset: string }>): Promise<void> {
    if (entries.length > 0) {
      const prefix = dataPrefix(this.name);
      await this.db.write(entries.map((e) => ({ key: Buffer.concat([prefix, e.key], prefix.length + e.key.length), value: e.value })));
      // After the write: a read that starts now sees the new rows.
      this.cache.written(entries);
    }
    for (const p of positions) {
      if (this.positions.get(p.partition) === p.offset) continue;
      this.positions.set(p.partition, p.offset);
      this.unsaved = true;
    }
    if (this.unsaved && Date.now() - this.savedAt >= this.checkpointIntervalMs) await this.checkpointNow();
  }

  /** Writes the checkpoint now if positions moved since the last one. */
  async checkpointNow(): Promise<void> {
    if (!this.unsaved) return;
    this.unsaved = false;
    this.savedAt = Date.now();
    await this.checkpoint.write([...this.positions].map(([partition, offset]) => ({ topic: this.topic, partition, offset })));
  }

  /** Deletes every row and position (the topic was recreated or truncated below the checkpoint). */
  async clear(): Promise<void> {
    const prefix = dataPrefix(this.name);
    await this.db.clear(prefix, prefixEnd(prefix)!);
    this.cache.clear();
    this.positions.clear();
    this.unsaved = true;
    await this.checkpointNow();
  }

  /** Checkpoints what was applied and closes RocksDB. */
  async close(): Promise<void> {
    if (!this.db.isOpen) return;
    await this.checkpointNow();
    await this.db.close();
  }
}

/**
 * A key-value store whose writes throw: what steps get for a global store.
 * Reads go to the wrapped store.
 */
export class ReadOnlyKeyValueStore<K, V> implements KeyValueStore<K, V> {
  constructor(private readonly inner: KeyValueStore<K, V>, private readonly topic: string) {}

  get name(): string {
    return this.inner.name;
  }

  get(key: K): Promise<V | undefined> {
    return this.inner.get(key);
  }

  getMany(keys: readonly K[]): Promise<Array<V | undefined>> {
    return this.inner.getMany(keys);
  }

  put(): void {
    throw this.readOnly('put');
  }

  delete(): void {
    throw this.readOnly('delete');
  }

  range(from?: K, to?: K): AsyncIterable<[K, V]> {
    return this.inner.range(from, to);
  }

  prefixScan(prefix: K): AsyncIterable<[K, V]> {
    return this.inner.prefixScan(prefix);
  }

  private readOnly(call: string): StateStoreError {
    return new StateStoreError(
      `store ${this.name} is a global store, read-only to steps (${call} refused): it is filled from topic ${this.topic}; produce to that topic to change it`,
      false, { store: this.name });
  }
}

/** Anything that hands out key-value stores by name (a task's stores, the global ones). */
export interface KeyValueStoreSource {
  keyValueStore<K = unknown, V = unknown>(name: string): KeyValueStore<K, V>;
}

/**
 * The stores a task's steps see: the process's global stores by their names,
 * the task's own stores otherwise.
 */
export function withGlobalStores(task: KeyValueStoreSource | undefined, global: (KeyValueStoreSource & { has(name: string): boolean }) | undefined): KeyValueStoreSource | undefined {
  if (global === undefined) return task;
  return {
    keyValueStore: <K, V>(name: string): KeyValueStore<K, V> => {
      if (global.has(name) || task === undefined) return global.keyValueStore<K, V>(name);
      return task.keyValueStore<K, V>(name);
    },
  };
}
