/** One window of one key. */
export interface WindowEntry<V> {
  readonly windowStartMs: number;
  readonly value: V;
}

/** One window of any key, as `fetchAll` returns it. */
export interface KeyedWindowEntry<K, V> extends WindowEntry<V> {
  readonly key: K;
}

/**
 * The typed window store operators see (the outer, metered layer): values per
 * (key, window start). Writes are buffered until the task commits, like the
 * key-value store's; reads see them at once.
 *
 * Retention runs on stream time, the highest window start put so far (or
 * passed to `observeStreamTime`): a window is kept while
 * `windowStartMs >= streamTime - retentionMs`. Puts of older windows are
 * dropped (`put` returns false) and reads never return them; their disk space
 * goes a time segment at a time.
 */
export interface WindowStore<K, V> {
  readonly name: string;
  readonly retentionMs: number;
  /** Highest window start seen, -Infinity before the first. */
  readonly streamTime: number;
  /** Stores `value` for the window; false when the window is already expired. */
  put(key: K, windowStartMs: number, value: V): boolean;
  /** Removes one window of a key. */
  delete(key: K, windowStartMs: number): void;
  /** The value of one window. */
  get(key: K, windowStartMs: number): Promise<V | undefined>;
  /** Several windows with one RocksDB multi-get (for a batch of records). */
  getMany(windows: ReadonlyArray<readonly [K, number]>): Promise<Array<V | undefined>>;
  /** Windows of `key` with fromMs <= start <= toMs, oldest first. */
  fetch(key: K, fromMs: number, toMs: number): Promise<Array<WindowEntry<V>>>;
  /** Windows of every key with fromMs <= start <= toMs, ordered by key then start. */
  fetchAll(fromMs: number, toMs: number): AsyncIterable<KeyedWindowEntry<K, V>>;
  /** Moves stream time forward (e.g. to a record's timestamp) so old windows expire. */
  observeStreamTime(ms: number): void;
}
