import type { StoreLayerKind } from './bytes-store';
import { keyBuffer, keyString, prefixEnd } from './internal/byte-keys';
import { overlayRange } from './internal/overlay';
import { dataPrefix } from './internal/store-prefix';
import type { RestoredEntry, RocksDbLayer } from './rocksdb-layer';
import type { DatabaseWrite, TaskDatabase } from './task-database';
import { getManyThroughBuffer } from './internal/buffered-reads';

/**
 * The RocksDB layer of a key-value store: its keys under the store's prefix in
 * the task's database. `put` fills a write batch that reads see at once and
 * that reaches RocksDB when the task flushes.
 */
export class RocksDbStore implements RocksDbLayer {
  readonly layer: StoreLayerKind = 'rocksdb';
  private readonly prefix: Buffer;
  private readonly prefixLimit: Buffer | undefined;
  /** Writes of the current commit unit. */
  private pending = new Map<string, Buffer | null>();
  /**
   * The sealed batch of a unit being committed (the task processes on meanwhile): still visible
   * to reads until it is in RocksDB. A failed write keeps it, and the next seal adds to it.
   */
  private writing = new Map<string, Buffer | null>();

  constructor(readonly name: string, private readonly db: TaskDatabase) {
    this.prefix = dataPrefix(name);
    this.prefixLimit = prefixEnd(this.prefix);
  }

  async get(key: Buffer): Promise<Buffer | undefined> {
    const buffered = this.buffered(key);
    if (buffered !== undefined) return buffered ?? undefined;
    return this.db.get(this.physical(key));
  }

  /** What RocksDB holds for `key`: committed state only, without the writes of a commit in progress. */
  getCommitted(key: Buffer): Promise<Buffer | undefined> {
    return this.db.get(this.physical(key));
  }

  /** What RocksDB holds with gte <= key < lt (store keys, byte order): committed state only, as {@link getCommitted}. */
  iterateCommitted(gte?: Buffer, lt?: Buffer): AsyncGenerator<[Buffer, Buffer]> {
    const lower = gte === undefined ? this.prefix : this.physical(gte);
    const upper = lt === undefined ? this.prefixLimit : this.physical(lt);
    return this.stripped(this.db.iterate(lower, upper), this.prefix.length);
  }

  getMany(keys: readonly Buffer[]): Promise<Array<Buffer | undefined>> {
    return getManyThroughBuffer(keys, (k) => this.buffered(k), (k) => this.physical(k), this.db);
  }

  put(key: Buffer, value: Buffer | null): void {
    this.pending.set(keyString(key), value);
  }

  async *range(from?: Buffer, to?: Buffer): AsyncGenerator<[Buffer, Buffer]> {
    const gte = from === undefined ? this.prefix : this.physical(from);
    const lt = to === undefined ? this.prefixLimit : this.physical(to);
    const strip = this.prefix.length;
    const lower = this.stripped(this.db.iterate(gte, lt), strip);
    yield* overlayRange([this.writing, this.pending], lower, from, to);
  }

  async flush(): Promise<void> {
    // The write batch is written by TaskStores for all stores at once.
  }

  sealWrites(): void {
    if (this.writing.size === 0) {
      this.writing = this.pending;
    } else {
      for (const [k, v] of this.pending) this.writing.set(k, v);
    }
    this.pending = new Map();
  }

  takeWrites(): DatabaseWrite[] {
    const writes: DatabaseWrite[] = [];
    for (const [k, v] of this.writing) writes.push({ key: this.physical(keyBuffer(k)), value: v });
    return writes;
  }

  writesApplied(): void {
    this.writing = new Map();
  }

  async restore(entries: readonly RestoredEntry[]): Promise<void> {
    await this.db.write(entries.map((e) => ({ key: this.physical(e.key), value: e.value })));
  }

  /** Undefined: not buffered; null: buffered delete. */
  private buffered(key: Buffer): Buffer | null | undefined {
    const k = keyString(key);
    const p = this.pending.get(k);
    if (p !== undefined) return p;
    return this.writing.get(k);
  }

  private physical(key: Buffer): Buffer {
    return Buffer.concat([this.prefix, key], this.prefix.length + key.length);
  }

  private async *stripped(source: AsyncIterable<[Buffer, Buffer]>, strip: number): AsyncGenerator<[Buffer, Buffer]> {
    for await (const [k, v] of source) yield [k.subarray(strip), v];
  }
}
