import type { MeterProvider } from '@opentelemetry/api';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChangelogReader } from './changelog-reader';
import type { ChangelogOffset, ChangelogRecord } from './changelog-record';
import { CheckpointFile, partitionKey } from './checkpoint-file';
import { StateStoreError } from './errors';
import { RestoreInstruments } from './internal/store-instruments';
import { RocksDbInstruments } from './internal/rocksdb-instruments';
import type { KeyValueStore } from '../../core/key-value-store';
import type { RestoredEntry } from './rocksdb-layer';
import { buildStore, type BuiltStore } from './store-builder';
import type { StoreDefinition } from './store-definition';
import type { KeyRange, ScanPage } from './committed-scan';
import { TaskDatabase, type TaskDatabaseOptions } from './task-database';
import { changelogTopicName } from '../../topology/internal-topic-names';

/** How {@link TaskStores.open} found the task's local state. */
export type LocalStateOnOpen = 'new' | 'checkpointed' | 'wiped-dirty' | 'wiped-no-checkpoint' | 'wiped-corrupt';

export interface TaskStoresOptions {
  readonly stateDir: string;
  readonly appId: string;
  /** Task id; when `partition` is not given, its trailing number is the partition (`0_3` → 3). */
  readonly taskId: string;
  readonly stores: ReadonlyArray<StoreDefinition>;
  /** Count store reads, writes and cache hits on OpenTelemetry instruments (default false). */
  readonly metrics?: boolean;
  /** The task's input partition = its changelog partition. */
  readonly partition?: number;
  /** Under exactly_once a crash while a committed write batch is applied leaves a dirty marker that wipes the state (default at_least_once). */
  readonly processingGuarantee?: 'at_least_once' | 'exactly_once';
  readonly rocksdb?: TaskDatabaseOptions;
  /** Where instruments come from when `metrics` is on (default: the global provider, as `metrics.getMeter('tributary')`). */
  readonly meterProvider?: MeterProvider;
}

/** What one store's restore did. */
export interface StoreRestoreSummary {
  readonly store: string;
  readonly topic: string;
  readonly partition: number;
  readonly fromOffset: string | undefined;
  readonly endOffset: string;
  readonly records: number;
  readonly durationMs: number;
}

/*
 * Lifecycle:
 *
 *   open ──restore()──▶ restoring ──▶ open ──close()/wipe()──▶ closed
 *
 * Records are processed (stores read and written, flush, commitApplied) only in open.
 */
type State = 'open' | 'restoring' | 'closed';
const transitions: Readonly<Record<State, readonly State[]>> = {
  open: ['restoring', 'closed'],
  restoring: ['open', 'closed'],
  closed: [],
};

/**
 * All state stores of one task: one RocksDB instance under
 * `<stateDir>/<app>/<task>/rocksdb`, the checkpoint and dirty files beside it,
 * and each store built from its layers.
 *
 * The commit protocol the task runs:
 *
 *   records = await stores.flush()     // cache → changelog records, write batch sealed; nothing written to RocksDB yet
 *   produce records (+ outputs, + input offsets: one transaction under exactly_once)
 *   await stores.commitApplied(nextChangelogOffsets(records, sendResults))  // write batch, checkpoint
 *
 * The task may process the next unit's records between flush and commitApplied (its commit's
 * I/O overlaps them): their writes go to the next batch, and reads see both.
 *
 * RocksDB only ever holds what the changelog holds: the write batch is applied
 * after the commit. A crash before it leaves RocksDB at the checkpoint (the
 * restore reads whatever the changelog got); a crash after it is harmless
 * (changelog values are absolute, so restoring them again changes nothing).
 * A failed commit leaves RocksDB untouched: dropping the task's in-memory
 * layers (close, reopen) is enough, under either guarantee.
 */
export class TaskStores {
  private state: State = 'open';
  private checkpoint: Map<string, ChangelogOffset>;

  private constructor(
    readonly appId: string,
    readonly taskId: string,
    readonly partition: number,
    readonly taskDir: string,
    readonly localState: LocalStateOnOpen,
    private readonly guarantee: 'at_least_once' | 'exactly_once',
    private readonly db: TaskDatabase,
    private readonly built: ReadonlyMap<string, BuiltStore>,
    private readonly checkpointFile: CheckpointFile,
    checkpoint: Map<string, ChangelogOffset>,
    private readonly restoreInstruments?: RestoreInstruments,
    private readonly rocksdbInstruments?: RocksDbInstruments,
  ) {
    this.checkpoint = checkpoint;
  }

  /**
   * Opens (creating when needed) the stores of a task. Local state that cannot
   * be trusted is wiped first: a dirty marker under exactly_once, a missing or
   * corrupt checkpoint beside existing data.
   */
  static async open(options: TaskStoresOptions): Promise<TaskStores> {
    for (const [what, value] of [['appId', options.appId], ['taskId', options.taskId]] as const) {
      if (!/^[A-Za-z0-9._-]+$/.test(value) || value === '.' || value === '..') {
        throw new StateStoreError(`${what} ${JSON.stringify(value)} must be letters, digits, '.', '_' or '-' (it names a directory)`, false, { task: options.taskId });
      }
    }
    const partition = options.partition ?? Number(/(\d+)$/.exec(options.taskId)?.[1] ?? NaN);
    if (!Number.isInteger(partition) || partition < 0) {
      throw new StateStoreError(`task ${options.taskId}: pass options.partition (the task id does not end with a partition number)`, false, { task: options.taskId });
    }
    const names = new Set<string>();
    for (const s of options.stores) {
      if (names.has(s.name)) throw new StateStoreError(`task ${options.taskId}: store ${s.name} is defined twice`, false, { store: s.name, task: options.taskId });
      names.add(s.name);
    }
    const guarantee = options.processingGuarantee ?? 'at_least_once';
    const taskDir = join(options.stateDir, options.appId, options.taskId);
    const checkpointFile = new CheckpointFile(taskDir);
    const { localState, checkpoint } = await TaskStores.inspect(taskDir, checkpointFile, guarantee);
    if (localState.startsWith('wiped')) await rm(taskDir, { recursive: true, force: true });
    const db = await TaskDatabase.open(join(taskDir, 'rocksdb'), options.rocksdb);
    try {
      const built = new Map<string, BuiltStore>();
      for (const definition of options.stores) {
        const store = buildStore(definition, db, options.taskId, options.metrics ?? false, options.meterProvider);
        built.set(definition.name, store);
      }
      return new TaskStores(options.appId, options.taskId, partition, taskDir, localState, guarantee, db, built, checkpointFile,
        checkpoint ?? new Map(), options.metrics ? new RestoreInstruments(options.taskId, options.meterProvider) : undefined,
        options.metrics ? new RocksDbInstruments(db, options.taskId, options.stores.map((s) => s.name), options.meterProvider) : undefined);
    } catch (error) {
      await db.close();
      throw error;
    }
  }

  private static async inspect(
    taskDir: string,
    file: CheckpointFile,
    guarantee: 'at_least_once' | 'exactly_once',
  ): Promise<{ localState: LocalStateOnOpen; checkpoint?: Map<string, ChangelogOffset> }> {
    const exists = await stat(join(taskDir, 'rocksdb')).then(() => true, () => false);
    if (!exists) return { localState: 'new' };
    if (guarantee === 'exactly_once' && await file.isDirty()) return { localState: 'wiped-dirty' };
    try {
      const checkpoint = await file.read();
      // Without a checkpoint the data's relation to the changelog is unknown:
      // replaying over it could keep keys whose tombstones were compacted away.
      return checkpoint === undefined ? { localState: 'wiped-no-checkpoint' } : { localState: 'checkpointed', checkpoint };
    } catch (error) {
      if (error instanceof StateStoreError && !error.retriable) return { localState: 'wiped-corrupt' };
      throw error;
    }
  }

  /** Store names, in definition order. */
  get storeNames(): string[] {
    return [...this.built.keys()];
  }

  keyValueStore<K = unknown, V = unknown>(name: string): KeyValueStore<K, V> {
    return this.store(name).outer as KeyValueStore<K, V>;
  }

  /**
   * The committed value of `key` in key-value store `name`, for readers outside the task
   * (interactive queries): what RocksDB holds after the last commit, never a write of the
   * batch or commit in progress. Throws a retriable error while the stores restore (unless
   * `duringRestore`: a standby copy's reads) or after they closed, and a non-retriable one for
   * an unknown store.
   */
  async readCommitted(name: string, key: unknown, options: { duringRestore?: boolean } = {}): Promise<unknown> {
    const store = this.store(name);
    // A standby copy applies its changelog in rounds (restore); what RocksDB holds between and during them is still a committed state.
    if (this.state !== 'open' && !(options.duringRestore === true && this.state === 'restoring')) throw new StateStoreError(`task ${this.taskId} stores are ${this.state}`, true, { store: name, task: this.taskId });
    return store.readCommitted(key);
  }

  /**
   * Up to `limit` committed entries of `range` in key-value store `name`, in key byte order,
   * for readers outside the task (interactive queries), with the guarantees of
   * {@link readCommitted}. Throws a {@link KeyRangeError} for a range that cannot be scanned.
   */
  async scanCommitted(name: string, range: KeyRange, limit: number): Promise<ScanPage> {
    const store = this.store(name);
    if (this.state !== 'open') throw new StateStoreError(`task ${this.taskId} stores are ${this.state}`, true, { store: name, task: this.taskId });
    return store.scanCommitted(range, limit);
  }

  /** The changelog partitions of this task's logged stores. */
  changelogPartitions(): Array<{ store: string; topic: string; partition: number }> {
    return [...this.built.values()]
      .filter((s) => s.definition.changelog)
      .map((s) => ({ store: s.definition.name, topic: changelogTopicName(this.appId, s.definition.name), partition: this.partition }));
  }

  /** The checkpointed offset of every changelog partition (next offset to read). */
  checkpointedOffsets(): ChangelogOffset[] {
    return [...this.checkpoint.values()];
  }

  /**
   * Moves every cached write down to the RocksDB layers (where reads keep
   * seeing them), seals them as this commit's write batch and returns the
   * changelog records of this commit, for the task to produce. RocksDB itself
   * is written by {@link commitApplied}; writes after the flush belong to the next commit.
   */
  async flush(): Promise<ChangelogRecord[]> {
    this.expectState('open', 'flush');
    for (const store of this.built.values()) await store.top.flush();
    for (const store of this.built.values()) store.rocksdb.sealWrites();
    const records: ChangelogRecord[] = [];
    for (const store of this.built.values()) {
      if (store.changelog === undefined) continue;
      const topic = changelogTopicName(this.appId, store.definition.name);
      for (const r of store.changelog.takeRecords()) records.push({ topic, partition: this.partition, key: r.key, value: r.value });
    }
    return records;
  }

  /**
   * The commit that carried the last flush's changelog records succeeded:
   * applies the write batch sealed by that flush to RocksDB in one write, then records the
   * new changelog offsets (next offset to read per partition; see
   * {@link nextChangelogOffsets}) in the checkpoint. Under exactly_once the
   * dirty marker covers the write batch until the checkpoint is written.
   */
  async commitApplied(offsets: ReadonlyArray<ChangelogOffset>): Promise<void> {
    this.expectState('open', 'commitApplied');
    const writes = [];
    for (const store of this.built.values()) writes.push(...store.rocksdb.takeWrites());
    if (writes.length === 0 && offsets.length === 0) return;
    if (writes.length > 0) {
      if (this.guarantee === 'exactly_once') await this.checkpointFile.markDirty();
      await this.db.write(writes);
    }
    for (const store of this.built.values()) store.rocksdb.writesApplied();
    for (const o of offsets) this.checkpoint.set(partitionKey(o.topic, o.partition), { topic: o.topic, partition: o.partition, offset: o.offset });
    await this.checkpointFile.write(this.checkpoint.values());
    await this.checkpointFile.clearDirty();
  }

  /**
   * Brings every logged store up to its changelog's end, from the checkpoint
   * (or from the beginning), before the task processes a record. Writes
   * straight to RocksDB in the reader's batches, then checkpoints the end offsets.
   */
  async restore(reader: ChangelogReader): Promise<StoreRestoreSummary[]> {
    this.transition('restoring');
    try {
      const partitions = this.changelogPartitions();
      const byTopic = new Map(partitions.map((p) => [p.topic, this.store(p.store)]));
      const counts = new Map<string, number>(partitions.map((p) => [p.topic, 0]));
      const started = Date.now();
      const requests = partitions.map((p) => ({
        topic: p.topic,
        partition: p.partition,
        fromOffset: this.checkpoint.get(partitionKey(p.topic, p.partition))?.offset,
      }));
      // One RocksDB write per store in flight while the reader fetches and
      // decodes the next batch: Kafka reading and RocksDB writing overlap, and
      // at most two batches per store are held in memory.
      const inFlight = new Map<string, Promise<void>>();
      let failure: unknown;
      const ends = await reader.read(requests, async (batch) => {
        const store = byTopic.get(batch.topic);
        if (store === undefined || batch.partition !== this.partition) return;
        const entries: RestoredEntry[] = [];
        for (const r of batch.records) {
          if (r.key === null) {
            throw new StateStoreError(`changelog ${batch.topic} partition ${batch.partition} offset ${r.offset} has a null key`, false, { store: store.definition.name, task: this.taskId });
          }
          entries.push({ key: r.key, value: r.value });
        }
        await inFlight.get(batch.topic);
        if (failure !== undefined) throw failure;
        if (batch.endOffset !== undefined && batch.records.length > 0) {
          const next = BigInt(batch.records[batch.records.length - 1].offset) + 1n;
          this.restoreInstruments?.setRemaining(store.definition.name, Math.max(0, Number(BigInt(batch.endOffset) - next)));
        }
        inFlight.set(batch.topic, store.rocksdb.restore(entries).then(() => {
          counts.set(batch.topic, counts.get(batch.topic)! + entries.length);
          this.restoreInstruments?.restored(store.definition.name, entries.length);
        }, (error: unknown) => {
          failure ??= error;
        }));
      });
      await Promise.all(inFlight.values());
      if (failure !== undefined) throw failure;
      const durationMs = Date.now() - started;
      for (const end of ends) this.checkpoint.set(partitionKey(end.topic, end.partition), end);
      await this.checkpointFile.write(this.checkpoint.values());
      return partitions.map((p, i) => {
        this.restoreInstruments?.finished(p.store, durationMs / 1000);
        this.restoreInstruments?.setRemaining(p.store, 0);
        return {
          store: p.store,
          topic: p.topic,
          partition: p.partition,
          fromOffset: requests[i].fromOffset,
          endOffset: ends.find((e) => e.topic === p.topic && e.partition === p.partition)?.offset ?? requests[i].fromOffset ?? '0',
          records: counts.get(p.topic)!,
          durationMs,
        };
      });
    } finally {
      if (this.state === 'restoring') this.transition('open');
    }
  }

  /** Closes RocksDB. Unflushed writes are dropped: they were never committed. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.transition('closed');
    this.rocksdbInstruments?.close();
    await this.db.close();
  }

  /** Closes and deletes all local state of the task (a later open restores from scratch). */
  async wipe(): Promise<void> {
    await this.close();
    await rm(this.taskDir, { recursive: true, force: true });
  }

  private store(name: string): BuiltStore {
    const store = this.built.get(name);
    if (store === undefined) {
      throw new StateStoreError(`task ${this.taskId} has no store ${JSON.stringify(name)} (stores: ${this.storeNames.join(', ') || 'none'})`, false, { store: name, task: this.taskId });
    }
    return store;
  }

  private expectState(state: State, action: string): void {
    if (this.state !== state) throw new StateStoreError(`task ${this.taskId} stores cannot ${action} while ${this.state}`, false, { task: this.taskId });
  }

  private transition(next: State): void {
    if (!transitions[this.state].includes(next)) {
      throw new StateStoreError(`task ${this.taskId} stores cannot go from ${this.state} to ${next}`, false, { task: this.taskId });
    }
    this.state = next;
  }
}
