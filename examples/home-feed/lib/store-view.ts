import type { KeyValueStore } from '../../../core/key-value-store';
import type { IndexView } from './pin-index';

/**
 * A synchronous view of a key-value store for one batch: `load` reads the
 * keys a step will touch with one multi-get, `get` then answers from memory
 * and `put` writes through (the store buffers until commit). Reading a key
 * that was not loaded is a bug in the step, so it throws instead of guessing.
 */
export class StoreView implements IndexView {
  private readonly local = new Map<string, unknown>();
  /** Keys read before they were loaded, in lenient mode (see {@link StoreView.resolveEach}). */
  private readonly misses = new Set<string>();
  private lenient = false;
  /** Keys whose latest value the store gets at {@link StoreView.flush}. */
  private readonly staged = new Set<string>();

  constructor(private readonly store: KeyValueStore<string, unknown>, private readonly name: string) {}

  /** Loads the keys not yet in memory (one getMany). */
  async load(keys: Iterable<string>): Promise<void> {
    const missing = [...new Set(keys)].filter((k) => !this.local.has(k));
    if (missing.length === 0) return;
    const values = await this.store.getMany(missing);
    missing.forEach((k, i) => this.local.set(k, values[i] ?? MISSING));
  }

  get<T>(key: string): T | undefined {
    // One look-up: a loaded key holds its value or MISSING, never undefined (retrieval asks
    // hundreds of keys per update).
    const v = this.local.get(key);
    if (v === undefined) {
      if (this.lenient) {
        this.misses.add(key);
        return undefined;
      }
      throw new Error(`store view ${this.name}: key '${key}' was read before it was loaded`);
    }
    return v === MISSING ? undefined : (v as T);
  }

  /**
   * Runs a read-only computation per item whose keys are only known as it goes
   * (retrieval reads lists, then the pins they name): the keys the items missed
   * are loaded with one multi-get per round, and only the items that missed
   * run again, until none misses (or `maxRounds`: then the last results stand).
   * Running every item again each round tripled retrieval's cost: most items
   * have all they need after the second round.
   */
  async resolveEach<I, T>(items: readonly I[], compute: (item: I) => T, maxRounds = 5): Promise<T[]> {
    const results = new Array<T>(items.length);
    let pending = items.map((_, i) => i);
    for (let round = 1; ; round++) {
      const missed: number[] = [];
      const keys = new Set<string>();
      this.lenient = true;
      try {
        for (const i of pending) {
          this.misses.clear();
          results[i] = compute(items[i]);
          if (this.misses.size === 0) continue;
          missed.push(i);
          for (const key of this.misses) keys.add(key);
        }
      } finally {
        this.lenient = false;
        this.misses.clear();
      }
      if (missed.length === 0 || round >= maxRounds) return results;
      await this.load(keys);
      pending = missed;
    }
  }

  put(key: string, value: unknown): void {
    this.local.set(key, value);
    this.staged.delete(key);
    this.store.put(key, value);
  }

  /**
   * Like {@link put}, but the store gets the value at {@link flush}: a key a
   * batch updates many times is serialized once. Until then `get` answers it.
   */
  stage(key: string, value: unknown): void {
    this.local.set(key, value);
    this.staged.add(key);
  }

  /** Writes the staged keys' latest values to the store; returns those keys. */
  flush(): string[] {
    const keys = [...this.staged];
    for (const key of keys) this.store.put(key, this.local.get(key));
    this.staged.clear();
    return keys;
  }
}

const MISSING = Symbol('missing');
