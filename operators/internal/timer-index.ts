import type { KeyValueStore } from '../../core/key-value-store';
import { metaKey, padTime } from './state-keys';

/** A due timer: when it was set for and the encoded key it belongs to. */
export interface DueTimer {
  readonly time: number;
  readonly encodedKey: string;
}

const FLOOR = metaKey('timerFloor');

/**
 * Timers kept in the operator's own store (`t|<time>|<encoded key>`), so they
 * survive restarts and a key that goes quiet still gets its window closed or
 * its debounce emitted: every batch (an empty punctuation batch included)
 * scans the timers due up to now. One timer per key: callers keep the time of
 * the current timer in the key's state and move it with `reschedule`.
 *
 * The scan starts at a persisted floor (just past the last scan, lowered when
 * a timer is set below it) rather than at the start of the timer range, since
 * every fired or moved timer leaves a RocksDB tombstone behind that a scan
 * from the start would walk through until compaction removes it.
 *
 * Most batches have no timer due, yet a scan opens a store iterator each time
 * (a RocksDB iterator, async steps on libuv's pool), and small live batches
 * make that a cost per record. So the index keeps a lower bound of the
 * timers at or past the floor, learnt by the scan that reads one timer past
 * `now`, and lowered by every timer set since: while `now` is below it there
 * is nothing to scan.
 */
export class TimerIndex {
  private floor = 0;
  private storedFloor = 0;
  /** No timer at or past the floor is earlier than this (+∞: none); undefined: not known. */
  private earliest: number | undefined;

  constructor(private readonly store: KeyValueStore<string, unknown>) {}

  /** Reads the scan floor; call once at the start of each batch. */
  async begin(): Promise<void> {
    const stored = await this.store.get(FLOOR);
    const floor = typeof stored === 'number' ? stored : 0;
    // A floor other than the one the last batch ended with: that batch was rolled back (its staged
    // writes dropped), so timers it fired and deleted are back, perhaps below the bound.
    if (floor !== this.floor) this.earliest = undefined;
    this.floor = this.storedFloor = floor;
  }

  reschedule(encodedKey: string, previous: number | undefined, next: number | undefined): void {
    if (previous === next) return;
    if (previous !== undefined) this.store.delete(timerKey(previous, encodedKey));
    if (next !== undefined) {
      this.store.put(timerKey(next, encodedKey), encodedKey);
      if (next < this.floor) this.floor = Math.max(0, next);
      if (this.earliest !== undefined && next < this.earliest) this.earliest = next;
    }
  }

  /** Timers with floor <= time <= now, oldest first; moves the floor past now. */
  async due(now: number): Promise<DueTimer[]> {
    if (!Number.isFinite(now) || now < 0) return [];
    const out: DueTimer[] = [];
    if (this.earliest === undefined || this.earliest <= now) {
      // Up to the first timer past now (its time is the new bound), or to the end of the timers.
      this.earliest = Infinity;
      for await (const [key, encodedKey] of this.store.range(`t|${padTime(this.floor)}`, TIMERS_END)) {
        const time = Number(key.slice(2, 2 + 16));
        if (time > now) {
          this.earliest = time;
          break;
        }
        out.push({ time, encodedKey: encodedKey as string });
      }
    }
    this.floor = Math.max(this.floor, Math.floor(now) + 1);
    return out;
  }

  /** Persists the floor; call once at the end of each batch, after the last reschedule. */
  end(): void {
    if (this.floor !== this.storedFloor) this.store.put(FLOOR, this.floor);
  }
}

/** Just past every timer key (`t|…`): '}' sorts after '|'. */
const TIMERS_END = 't}';

function timerKey(time: number, encodedKey: string): string {
  return `t|${padTime(time)}|${encodedKey}`;
}
