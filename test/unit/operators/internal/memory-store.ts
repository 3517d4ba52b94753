import type { KeyValueStore } from '../../../../core/key-value-store';

/**
 * Test double of the task's key-value store for unit tests of one operator:
 * writes are buffered until `commit()` (as the real store buffers until the
 * task commits), reads see buffered writes, `crash()` drops them. Keys are
 * ordered by their JSON form, which matches string order for the ASCII keys
 * operators use.
 */
export class MemoryStore<K = unknown, V = unknown> implements KeyValueStore<K, V> {
  private committed = new Map<string, [K, V]>();
  private pending = new Map<string, [K, V] | null>();
  getManyCalls = 0;

  constructor(readonly name: string) {}

  async get(key: K): Promise<V | undefined> {
    return this.read(key);
  }

  async getMany(keys: readonly K[]): Promise<Array<V | undefined>> {
    this.getManyCalls += 1;
    return keys.map((key) => this.read(key));
  }

  put(key: K, value: V): void {
    this.pending.set(id(key), [key, structuredClone(value)]);
  }

  delete(key: K): void {
    this.pending.set(id(key), null);
  }

  async *range(from?: K, to?: K): AsyncIterable<[K, V]> {
    const lo = from === undefined ? undefined : id(from);
    const hi = to === undefined ? undefined : id(to);
    for (const [k, entry] of this.view()) {
      if (lo !== undefined && k < lo) continue;
      if (hi !== undefined && k >= hi) continue;
      yield entry;
    }
  }

  async *prefixScan(prefix: K): AsyncIterable<[K, V]> {
    const p = id(prefix).replace(/"$/, '');
    for (const [k, entry] of this.view()) if (k.startsWith(p)) yield entry;
  }

  commit(): void {
    for (const [k, entry] of this.pending) {
      if (entry === null) this.committed.delete(k);
      else this.committed.set(k, entry);
    }
    this.pending.clear();
  }

  /** Loses uncommitted writes, like a process that dies before its commit. */
  crash(): void {
    this.pending.clear();
  }

  size(): number {
    return this.view().length;
  }

  /** Entries other than operator meta (`m|…`: stream time, timer floor): per-key state and timers. */
  stateSize(): number {
    return this.view().filter(([, [k]]) => !(typeof k === 'string' && k.startsWith('m|'))).length;
  }

  private read(key: K): V | undefined {
    const k = id(key);
    const entry = this.pending.has(k) ? this.pending.get(k) : this.committed.get(k);
    return entry ? structuredClone(entry[1]) : undefined;
  }

  private view(): Array<[string, [K, V]]> {
    const merged = new Map(this.committed);
    for (const [k, entry] of this.pending) {
      if (entry === null) merged.delete(k);
      else merged.set(k, entry);
    }
    return [...merged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
}

function id(key: unknown): string {
  return Buffer.isBuffer(key) ? `b:${key.toString('base64')}` : JSON.stringify(key);
}
