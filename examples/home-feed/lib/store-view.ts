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
  /** Keys read before they were loaded, in lenient mode (see {@link StoreView.resolve}). */
  private readonly misses = new Set<string>();
  private lenient = false;

  constructor(private readonly store: KeyValueStore<string, unknown>, private readonly name: string) {}

  /** Loads the keys not yet in memory (one getMany). */
  async load(keys: Iterable<string>): Promise<void> {
    const missing = [...new Set(keys)].filter((k) => !this.local.has(k));
    if (missing.length === 0) return;
    const values = await this.store.getMany(missing);
    missing.forEach((k, i) => this.local.set(k, values[i] ?? MISSING));
  }

  get<T>(key: string): T | undefined {
    if (!this.local.has(key)) {
      if (this.lenient) {
        this.misses.add(key);
        return undefined;
      }
      throw new Error(`store view ${this.name}: key '${key}' was read before it was loaded`);
    }
    const v = this.local.get(key);
    return v === MISSING ? undefined : (v as T);
  }

  /**
   * Runs a read-only computation whose keys are only known as it goes
   * (retrieval reads lists, then the pins they name): keys it misses are
   * loaded with one multi-get and it runs again, until nothing is missing.
   */
  async resolve<T>(compute: () => T, maxRounds = 5): Promise<T> {
    for (let round = 1; ; round++) {
      this.misses.clear();
      this.lenient = true;
      let result: T;
      try {
        result = compute();
      } finally {
        this.lenient = false;
      }
      if (this.misses.size === 0 || round >= maxRounds) return result;
      await this.load(this.misses);
    }
  }

  put(key: string, value: unknown): void {
    this.local.set(key, value);
    this.store.put(key, value);
  }
}

const MISSING = Symbol('missing');
