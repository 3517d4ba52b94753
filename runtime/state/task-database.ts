import { mkdir } from 'node:fs/promises';
import { StateStoreError } from './errors';
import { call, createRocksDb, type RocksBatchOp, type RocksDb } from './internal/rocksdb-binding';

/** A write for {@link TaskDatabase.write}: `value: null` deletes the key. */
export interface DatabaseWrite {
  readonly key: Buffer;
  readonly value: Buffer | null;
}

/** RocksDB options for a task's instance; the defaults favour write-heavy work. */
export interface TaskDatabaseOptions {
  /** Memtable size before a flush to an SST file (bytes). */
  readonly writeBufferSize?: number;
  /** Block cache for reads (bytes). */
  readonly cacheSize?: number;
  readonly blockSize?: number;
  readonly compression?: boolean;
}

const defaults: Required<TaskDatabaseOptions> = {
  // Large memtables absorb commit batches without stalls; the changelog, not
  // fsync, makes writes durable, so writes never sync.
  writeBufferSize: 32 << 20,
  cacheSize: 32 << 20,
  blockSize: 16 << 10,
  compression: true,
};

/**
 * The one RocksDB instance of a task (`<stateDir>/<app>/<task>/rocksdb`).
 * All stores of the task share it, each under its own key prefix, so one
 * write batch commits every store's changes atomically. Writes never fsync.
 *
 * Lifecycle: opening ─▶ open ─▶ closed.
 */
export class TaskDatabase {
  private state: 'open' | 'closed' = 'open';

  private constructor(readonly location: string, private readonly db: RocksDb) {}

  static async open(location: string, options: TaskDatabaseOptions = {}): Promise<TaskDatabase> {
    await mkdir(location, { recursive: true });
    const db = createRocksDb(location);
    try {
      await call((cb) => db.open({ ...defaults, ...options, createIfMissing: true, infoLogLevel: 'error' }, cb));
    } catch (cause) {
      // Another process holding the LOCK file is the usual reason; it may let go.
      throw new StateStoreError(`cannot open RocksDB at ${location}: ${(cause as Error).message}`, true, { path: location }, { cause });
    }
    return new TaskDatabase(location, db);
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  async get(key: Buffer): Promise<Buffer | undefined> {
    this.checkOpen();
    const [value] = await call<Array<Buffer | undefined>>((cb) => this.db.getMany([key], { asBuffer: true }, cb));
    return value;
  }

  async getMany(keys: Buffer[]): Promise<Array<Buffer | undefined>> {
    this.checkOpen();
    if (keys.length === 0) return [];
    return call<Array<Buffer | undefined>>((cb) => this.db.getMany(keys, { asBuffer: true }, cb));
  }

  /** Writes one batch without fsync (durability comes from the changelog). */
  async write(writes: readonly DatabaseWrite[]): Promise<void> {
    this.checkOpen();
    if (writes.length === 0) return;
    const ops: RocksBatchOp[] = writes.map((w) =>
      w.value === null ? { type: 'del', key: w.key } : { type: 'put', key: w.key, value: w.value });
    await call((cb) => this.db.batch(ops, { sync: false }, cb));
  }

  /** Deletes every key in [gte, lt). */
  async clear(gte: Buffer, lt: Buffer): Promise<void> {
    this.checkOpen();
    await call((cb) => this.db.clear({ gte, lt }, cb));
  }

  /** Entries with gte <= key < lt in byte order. */
  async *iterate(gte?: Buffer, lt?: Buffer): AsyncGenerator<[Buffer, Buffer]> {
    this.checkOpen();
    const options: Record<string, unknown> = { keyAsBuffer: true, valueAsBuffer: true, highWaterMark: 64 << 10 };
    if (gte !== undefined) options.gte = gte;
    if (lt !== undefined) options.lt = lt;
    const it = this.db.iterator(options);
    try {
      for (;;) {
        const entry = await new Promise<[Buffer, Buffer] | undefined>((resolve, reject) =>
          it.next((err, key, value) => (err ? reject(err) : resolve(key === undefined ? undefined : [key, value!]))));
        if (entry === undefined) return;
        yield entry;
      }
    } finally {
      await call((cb) => it.end(cb));
    }
  }

  /**
   * A RocksDB property (`rocksdb.estimate-num-keys`, `rocksdb.total-sst-files-size`, ...: RocksDB's
   * `DB::GetProperty`); '' for a name RocksDB does not know.
   */
  property(name: string): string {
    this.checkOpen();
    return this.db.getProperty(name);
  }

  /** Approximate bytes on disk for keys in [start, end). */
  async approximateSize(start: Buffer, end: Buffer): Promise<number> {
    this.checkOpen();
    return call<number>((cb) => this.db.approximateSize(start, end, cb));
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    await call((cb) => this.db.close(cb));
  }

  private checkOpen(): void {
    if (this.state !== 'open') throw new StateStoreError(`RocksDB at ${this.location} is closed`, false, { path: this.location });
  }
}
