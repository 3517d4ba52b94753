/**
 * The highest window start a window store has seen (its stream time), shared
 * by the typed layer (which observes puts) and the segmented RocksDB layer
 * (which expires old segments and persists the value).
 */
export class StreamTimeClock {
  private current = -Infinity;

  get value(): number {
    return this.current;
  }

  observe(ms: number): void {
    if (ms > this.current) this.current = ms;
  }
}
