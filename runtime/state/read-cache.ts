import { evictSecondChance, type SecondChanceEntry } from './internal/second-chance';
/** What a read found for one key: the deserialized value (undefined: no row) and the bytes it came from. */
export interface LoadedValue {
  readonly value: unknown;
  readonly bytes: number;
}

/** A held value, marked when read (see {@link evictSecondChance}). */
interface CachedValue extends LoadedValue, SecondChanceEntry {}

/**
 * Deserialized values of a store that only its own updater writes (a global
 * store), kept across batches and tasks: a key that every task reads in
 * every batch (the flagship's `popular` list, the pins most candidates
 * share) is parsed once per change instead of once per batch. Smaller
 * batches, as with more processes on the same input, then cost no more
 * parsing per event.
 *
 * Values are deep-frozen: every reader shares the one object, and a step
 * that changed it would change it for all (global stores are read-only to
 * steps). Rows found missing are kept too. The cache is bounded by the
 * bytes its values were read from, least recently used first out as the
 * caches' second-chance rule approximates it (retrieval reads 200–500 keys
 * per trigger, so a hit must be cheap).
 *
 * The updater calls {@link written} after each write. A read that was in
 * flight while a key was written may hold the key's old value: it returns it
 * (it read before the write) but does not keep it.
 */
export class ReadCache {
  private readonly entries = new Map<string, CachedValue>();
  private held = 0;
  private readsInFlight = 0;
  /** Keys written while reads were in flight (cleared when none is). */
  private readonly writtenDuringReads = new Set<string>();

  constructor(private readonly maxBytes: number) {}

  /** Bytes of the values held. */
  get bytes(): number {
    return this.held;
  }

  /** Values for `keys` (serialized store keys): held ones at once, the others through `load` (one call for all missing). */
  async getMany(keys: readonly Buffer[], load: (missing: Buffer[]) => Promise<LoadedValue[]>): Promise<unknown[]> {
    const ids = keys.map((k) => k.toString('latin1'));
    const out: unknown[] = new Array(keys.length);
    const missing: number[] = [];
    ids.forEach((id, i) => {
      const entry = this.entries.get(id);
      if (entry === undefined) {
        missing.push(i);
        return;
      }
      entry.used = true;
      out[i] = entry.value;
    });
    if (missing.length === 0) return out;
    this.readsInFlight++;
    try {
      const loaded = await load(missing.map((i) => keys[i]));
      missing.forEach((i, j) => {
        const entry = { value: deepFreeze(loaded[j].value), bytes: loaded[j].bytes + keys[i].length, used: false };
        out[i] = entry.value;
        if (!this.writtenDuringReads.has(ids[i])) this.keep(ids[i], entry);
      });
    } finally {
      if (--this.readsInFlight === 0) this.writtenDuringReads.clear();
    }
    return out;
  }

  /**
   * The rows just written (serialized store keys). A key the cache holds takes the row's
   * `decoded` value when it has one (it is what a read would parse from `value`); otherwise it is
   * forgotten. Keys not held stay out: a restore, which writes every row, fills nothing.
   * The flagship's index entries change every second and every process reads them: each change
   * was parsed twice per process, once by the source and once at the next read.
   */
  written(rows: ReadonlyArray<{ readonly key: Buffer; readonly value: Buffer | null; readonly decoded?: unknown }>): void {
    for (const row of rows) {
      const id = row.key.toString('latin1');
      const entry = this.entries.get(id);
      if (entry !== undefined) {
        if (row.decoded !== undefined && row.value !== null) {
          this.keep(id, { value: deepFreeze(row.decoded), bytes: row.value.length + row.key.length, used: entry.used });
        } else {
          this.held -= entry.bytes;
          this.entries.delete(id);
        }
      }
      if (this.readsInFlight > 0) this.writtenDuringReads.add(id);
    }
  }

  /** Forgets everything (the store was cleared). */
  clear(): void {
    this.entries.clear();
    this.held = 0;
  }

  private keep(id: string, entry: CachedValue): void {
    const before = this.entries.get(id);
    if (before !== undefined) this.held -= before.bytes;
    this.entries.delete(id);
    if (entry.bytes > this.maxBytes) return;
    this.entries.set(id, entry);
    this.held += entry.bytes;
    evictSecondChance(this.entries, () => this.held > this.maxBytes, (_id, e) => { this.held -= e.bytes; });
  }
}

/**
 * Freezes a JSON value and everything in it, except arrays that hold only numbers: V8 stores a
 * frozen array's numbers boxed, one heap object each, where an unfrozen one keeps them unboxed
 * (an embedding of 32 floats became 32 objects, and building a scoring request from frozen rows
 * took 2.5 times as long). Those arrays are read-only by the same rule as the rest, unguarded.
 */
function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'number')) return value;
  for (const inner of Object.values(value as object)) deepFreeze(inner);
  return Object.freeze(value);
}
