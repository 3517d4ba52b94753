import type { BytesStore } from './bytes-store';
import { prefixEnd } from './internal/byte-keys';
import type { StoreInstruments } from './internal/store-instruments';
import type { KeyValueStore } from '../../core/key-value-store';
import type { StoreSerde } from './store-serde';
import type { ReadCache } from './read-cache';

/**
 * The outer layer of a key-value store: the only typed one. Converts keys and
 * values through serdes and counts reads and writes on OpenTelemetry
 * instruments when given them (metrics off: no instruments, no cost).
 * With a {@link ReadCache} (a store only its updater writes), point reads
 * are answered from deserialized values kept across reads.
 */
export class MeteredKeyValueStore<K, V> implements KeyValueStore<K, V> {
  constructor(
    private readonly inner: BytesStore,
    private readonly keySerde: StoreSerde<K>,
    private readonly valueSerde: StoreSerde<V>,
    private readonly instruments?: StoreInstruments,
    private readonly cache?: ReadCache,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  async get(key: K): Promise<V | undefined> {
    if (this.cache) return (await this.getMany([key]))[0];
    this.instruments?.reads(1);
    const bytes = await this.inner.get(this.keySerde.serialize(key));
    return bytes === undefined ? undefined : this.valueSerde.deserialize(bytes);
  }

  async getMany(keys: readonly K[]): Promise<Array<V | undefined>> {
    this.instruments?.reads(keys.length);
    const serialized = keys.map((k) => this.keySerde.serialize(k));
    if (this.cache) {
      return await this.cache.getMany(serialized, async (missing) => (await this.inner.getMany(missing))
        .map((bytes) => (bytes === undefined ? { value: undefined, bytes: 0 } : { value: this.valueSerde.deserialize(bytes), bytes: bytes.length }))) as Array<V | undefined>;
    }
    const found = await this.inner.getMany(serialized);
    return found.map((bytes) => (bytes === undefined ? undefined : this.valueSerde.deserialize(bytes)));
  }

  put(key: K, value: V): void {
    this.instruments?.writes(1);
    this.inner.put(this.keySerde.serialize(key), this.valueSerde.serialize(value));
  }

  delete(key: K): void {
    this.instruments?.writes(1);
    this.inner.put(this.keySerde.serialize(key), null);
  }

  async *range(from?: K, to?: K): AsyncGenerator<[K, V]> {
    const fromBytes = from === undefined ? undefined : this.keySerde.serialize(from);
    const toBytes = to === undefined ? undefined : this.keySerde.serialize(to);
    yield* this.typed(this.inner.range(fromBytes, toBytes));
  }

  async *prefixScan(prefix: K): AsyncGenerator<[K, V]> {
    const start = this.keySerde.prefix ? this.keySerde.prefix(prefix) : this.keySerde.serialize(prefix);
    yield* this.typed(this.inner.range(start, prefixEnd(start)));
  }

  private async *typed(source: AsyncIterable<[Buffer, Buffer]>): AsyncGenerator<[K, V]> {
    let n = 0;
    try {
      for await (const [k, v] of source) {
        n++;
        yield [this.keySerde.deserialize(k), this.valueSerde.deserialize(v)];
      }
    } finally {
      this.instruments?.reads(n);
    }
  }
}
