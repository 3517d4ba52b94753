import type { BytesStore } from './bytes-store';
import { readUint64, writeUint64 } from './internal/byte-keys';
import type { StoreInstruments } from './internal/store-instruments';
import type { StreamTimeClock } from './internal/stream-time';
import type { StoreSerde } from './store-serde';
import type { KeyedWindowEntry, WindowEntry, WindowStore } from './window-store';

/**
 * The outer layer of a window store: serdes, retention against stream time
 * and metrics over a byte store whose keys are `key bytes + 8-byte window start`.
 */
export class MeteredWindowStore<K, V> implements WindowStore<K, V> {
  constructor(
    private readonly inner: BytesStore,
    readonly retentionMs: number,
    private readonly clock: StreamTimeClock,
    private readonly keySerde: StoreSerde<K>,
    private readonly valueSerde: StoreSerde<V>,
    private readonly instruments?: StoreInstruments,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  get streamTime(): number {
    return this.clock.value;
  }

  observeStreamTime(ms: number): void {
    this.clock.observe(ms);
  }

  put(key: K, windowStartMs: number, value: V): boolean {
    this.clock.observe(windowStartMs);
    if (this.expired(windowStartMs)) return false;
    this.instruments?.writes(1);
    this.inner.put(this.windowKey(this.keySerde.serialize(key), windowStartMs), this.valueSerde.serialize(value));
    return true;
  }

  delete(key: K, windowStartMs: number): void {
    if (this.expired(windowStartMs)) return;
    this.instruments?.writes(1);
    this.inner.put(this.windowKey(this.keySerde.serialize(key), windowStartMs), null);
  }

  async get(key: K, windowStartMs: number): Promise<V | undefined> {
    this.instruments?.reads(1);
    if (this.expired(windowStartMs)) return undefined;
    const bytes = await this.inner.get(this.windowKey(this.keySerde.serialize(key), windowStartMs));
    return bytes === undefined ? undefined : this.valueSerde.deserialize(bytes);
  }

  async getMany(windows: ReadonlyArray<readonly [K, number]>): Promise<Array<V | undefined>> {
    this.instruments?.reads(windows.length);
    const found = await this.inner.getMany(windows.map(([k, t]) => this.windowKey(this.keySerde.serialize(k), t)));
    return found.map((bytes, i) =>
      bytes === undefined || this.expired(windows[i][1]) ? undefined : this.valueSerde.deserialize(bytes));
  }

  async fetch(key: K, fromMs: number, toMs: number): Promise<Array<WindowEntry<V>>> {
    const from = Math.max(fromMs, this.oldestLive(), 0);
    if (toMs < from) return [];
    const keyBytes = this.keySerde.serialize(key);
    const out: Array<WindowEntry<V>> = [];
    const end = Math.min(toMs, Number.MAX_SAFE_INTEGER - 1) + 1;
    for await (const [k, v] of this.inner.range(this.windowKey(keyBytes, from), this.windowKey(keyBytes, end))) {
      // Serdes that are not prefix-free can put other keys inside the byte range.
      if (k.length !== keyBytes.length + 8 || keyBytes.compare(k, 0, keyBytes.length) !== 0) continue;
      out.push({ windowStartMs: readUint64(k, k.length - 8), value: this.valueSerde.deserialize(v) });
    }
    this.instruments?.reads(out.length);
    return out;
  }

  async *fetchAll(fromMs: number, toMs: number): AsyncGenerator<KeyedWindowEntry<K, V>> {
    const scan = this.inner.scanTime;
    if (scan === undefined) throw new TypeError(`store ${this.name} is not built on a window layout`);
    const from = Math.max(fromMs, this.oldestLive(), 0);
    if (toMs < from) return;
    let n = 0;
    try {
      for await (const [k, v] of scan(from, toMs)) {
        n++;
        yield {
          key: this.keySerde.deserialize(k.subarray(0, k.length - 8)),
          windowStartMs: readUint64(k, k.length - 8),
          value: this.valueSerde.deserialize(v),
        };
      }
    } finally {
      this.instruments?.reads(n);
    }
  }

  private oldestLive(): number {
    return this.clock.value - this.retentionMs;
  }

  private expired(windowStartMs: number): boolean {
    return windowStartMs < this.oldestLive();
  }

  private windowKey(keyBytes: Buffer, windowStartMs: number): Buffer {
    const out = Buffer.allocUnsafe(keyBytes.length + 8);
    keyBytes.copy(out, 0);
    writeUint64(out, keyBytes.length, windowStartMs);
    return out;
  }
}
