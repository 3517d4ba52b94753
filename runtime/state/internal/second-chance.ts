/** An entry of a cache evicted by {@link evictSecondChance}: marked when read or written. */
export interface SecondChanceEntry {
  used: boolean;
}

/**
 * The caches' eviction rule, second chance (clock), an approximation of least recently used:
 * while `over()`, the oldest entry (Map order) goes out through `evicted`, unless it was used
 * since eviction last passed it; then it is unmarked and moved to the back instead. A hit only
 * sets the mark: moving the entry on every hit (a Map delete and set) cost more than the reads.
 */
export function evictSecondChance<E extends SecondChanceEntry>(entries: Map<string, E>, over: () => boolean, evicted: (key: string, entry: E) => void): void {
  while (over()) {
    const [key, entry] = entries.entries().next().value as [string, E];
    entries.delete(key);
    if (entry.used) {
      entry.used = false;
      entries.set(key, entry);
    } else {
      evicted(key, entry);
    }
  }
}
