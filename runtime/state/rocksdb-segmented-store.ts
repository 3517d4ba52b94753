import type { StoreLayerKind } from './bytes-store';
import { keyBuffer, keyString, readUint64, uint64, writeUint64 } from './internal/byte-keys';
import { overlayRange } from './internal/overlay';
import { WindowKeyIndex } from './internal/window-key-index';
import { dataPrefix, metaKey } from './internal/store-prefix';
import type { StreamTimeClock } from './internal/stream-time';
import type { RestoredEntry, RocksDbLayer } from './rocksdb-layer';
import type { DatabaseWrite, TaskDatabase } from './task-database';
import { StateStoreError } from './errors';
import { getManyThroughBuffer } from './internal/buffered-reads';

/**
 * The RocksDB layer of a window store. Store keys are `key bytes + 8-byte
 * window start`; on disk they sit in time segments
 * (`prefix + segment id + store key`) so that retention drops whole segments
 * with one range delete instead of scanning for old windows.
 *
 * A segment spans `segmentMs` of window starts; segments whose windows all
 * start before `streamTime - retentionMs` are deleted at the next flush.
 * Stream time is saved next to the data so a restarted task expires the same.
 */
export class RocksDbSegmentedStore implements RocksDbLayer {
  readonly layer: StoreLayerKind = 'rocksdb-segmented';
  private readonly prefix: Buffer;
  private readonly streamTimeKey: Buffer;
  private pending = new Map<string, Buffer | null>();
  private writing = new Map<string, Buffer | null>();
  /** Pending keys by key part: a one-key fetch looks at its own buffered windows only. */
  private readonly pendingIndex = new WindowKeyIndex();
  /** Segments below this id are gone from RocksDB. */
  private firstLiveSegment = 0;

  constructor(
    readonly name: string,
    private readonly db: TaskDatabase,
    readonly retentionMs: number,
    readonly segmentMs: number,
    private readonly clock: StreamTimeClock,
  ) {
    this.prefix = dataPrefix(name);
    this.streamTimeKey = metaKey(name, 'stream-time');
  }

  async load(): Promise<void> {
    const saved = await this.db.get(this.streamTimeKey);
    if (saved !== undefined) this.clock.observe(readUint64(saved, 0));
  }

  async get(key: Buffer): Promise<Buffer | undefined> {
    const buffered = this.buffered(key);
    if (buffered !== undefined) return buffered ?? undefined;
    return this.db.get(this.physical(key));
  }

  getMany(keys: readonly Buffer[]): Promise<Array<Buffer | undefined>> {
    return getManyThroughBuffer(keys, (k) => this.buffered(k), (k) => this.physical(k), this.db);
  }

  put(key: Buffer, value: Buffer | null): void {
    const k = keyString(key);
    this.pending.set(k, value);
    this.pendingIndex.add(k);
  }

  /**
   * Windows of one key: `from` and `to` must be the same key bytes followed by
   * a window start (from inclusive, to exclusive), which is all the window
   * store asks for.
   */
  async *range(from?: Buffer, to?: Buffer): AsyncGenerator<[Buffer, Buffer]> {
    if (from === undefined || to === undefined || from.length !== to.length || from.length < 8
      || from.compare(to, 0, to.length - 8, 0, from.length - 8) !== 0) {
      throw new StateStoreError(`window store ${this.name} only scans the windows of one key`, false, { store: this.name });
    }
    const fromMs = readUint64(from, from.length - 8);
    const toMs = readUint64(to, to.length - 8);
    if (toMs <= fromMs) return;
    const lower = this.scanSegments(fromMs, toMs - 1, (seg) => [this.segmentKey(seg, from), this.segmentKey(seg, to)]);
    const own = new Map<string, Buffer | null>();
    for (const k of this.pendingIndex.keysOf(WindowKeyIndex.group(keyString(from)))) own.set(k, this.pending.get(k)!);
    // `writing` is only non-empty while a flush is being written.
    yield* overlayRange([this.writing, own], lower, from, to);
  }

  async *scanTime(fromMs: number, toMs: number): AsyncGenerator<[Buffer, Buffer]> {
    const inTime = (k: Buffer) => {
      const t = readUint64(k, k.length - 8);
      return t >= fromMs && t <= toMs;
    };
    const found = new Map<string, Buffer | null>();
    const segmentBounds = (seg: number): [Buffer, Buffer] => [this.segmentKey(seg), this.segmentKey(seg + 1)];
    for await (const [k, v] of this.scanSegments(fromMs, toMs, segmentBounds)) {
      if (inTime(k)) found.set(keyString(k), v);
    }
    for (const overlay of [this.writing, this.pending]) {
      for (const [k, v] of overlay) if (inTime(keyBuffer(k))) found.set(k, v);
    }
    for (const k of [...found.keys()].sort()) {
      const v = found.get(k)!;
      if (v !== null) yield [keyBuffer(k), v];
    }
  }

  async flush(): Promise<void> {
    // The write batch is written by TaskStores for all stores at once.
  }

  async takeWrites(): Promise<DatabaseWrite[]> {
    for (const [k, v] of this.pending) this.writing.set(k, v);
    this.pending = new Map();
    this.pendingIndex.clear();
    const live = await this.expire();
    const writes: DatabaseWrite[] = [];
    for (const [k, v] of this.writing) {
      const key = keyBuffer(k);
      if (this.segmentOf(key) >= live) writes.push({ key: this.physical(key), value: v });
    }
    if (Number.isFinite(this.clock.value)) writes.push({ key: this.streamTimeKey, value: uint64(this.clock.value) });
    return writes;
  }

  writesApplied(): void {
    this.writing = new Map();
  }

  async restore(entries: readonly RestoredEntry[]): Promise<void> {
    for (const e of entries) this.clock.observe(readUint64(e.key, e.key.length - 8));
    const live = await this.expire();
    const writes: DatabaseWrite[] = [];
    for (const e of entries) {
      if (this.segmentOf(e.key) >= live) writes.push({ key: this.physical(e.key), value: e.value });
    }
    if (Number.isFinite(this.clock.value)) writes.push({ key: this.streamTimeKey, value: uint64(this.clock.value) });
    await this.db.write(writes);
  }

  /** Deletes segments that retention has passed; returns the first live segment id. */
  private async expire(): Promise<number> {
    const now = this.clock.value;
    if (!Number.isFinite(now)) return 0;
    const live = Math.max(0, Math.floor((now - this.retentionMs) / this.segmentMs));
    if (live > this.firstLiveSegment) {
      await this.db.clear(this.segmentKey(0), this.segmentKey(live));
      this.firstLiveSegment = live;
    }
    return live;
  }

  private async *scanSegments(
    fromMs: number,
    toMs: number,
    bounds: (segment: number) => [Buffer, Buffer],
  ): AsyncGenerator<[Buffer, Buffer]> {
    const first = Math.max(this.firstLiveSegment, Math.floor(Math.max(0, fromMs) / this.segmentMs));
    // No window in RocksDB starts after stream time, which bounds open-ended scans.
    const now = this.clock.value;
    if (!Number.isFinite(now)) return;
    const last = Math.floor(Math.min(toMs, now) / this.segmentMs);
    const strip = this.prefix.length + 8;
    for (let seg = first; seg <= last; seg++) {
      const [gte, lt] = bounds(seg);
      for await (const [k, v] of this.db.iterate(gte, lt)) yield [k.subarray(strip), v];
    }
  }

  private segmentOf(key: Buffer): number {
    return Math.floor(readUint64(key, key.length - 8) / this.segmentMs);
  }

  private segmentKey(segment: number, key?: Buffer): Buffer {
    const out = Buffer.allocUnsafe(this.prefix.length + 8 + (key?.length ?? 0));
    this.prefix.copy(out, 0);
    writeUint64(out, this.prefix.length, segment);
    key?.copy(out, this.prefix.length + 8);
    return out;
  }

  private physical(key: Buffer): Buffer {
    return this.segmentKey(this.segmentOf(key), key);
  }

  private buffered(key: Buffer): Buffer | null | undefined {
    const k = keyString(key);
    const p = this.pending.get(k);
    if (p !== undefined) return p;
    return this.writing.get(k);
  }
}
