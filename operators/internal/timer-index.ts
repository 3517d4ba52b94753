import type { KeyValueStore } from '../../runtime/state/key-value-store';
import { padTime } from './state-keys';

/** A due timer: when it was set for and the encoded key it belongs to. */
export interface DueTimer {
  readonly time: number;
  readonly encodedKey: string;
}

/**
 * Timers kept in the operator's own store (`t|<time>|<encoded key>`), so they
 * survive restarts and a key that goes quiet still gets its window closed or
 * its debounce emitted: every batch (an empty punctuation batch included)
 * scans the timers due up to now. One timer per key: callers keep the time of
 * the current timer in the key's state and move it with `reschedule`.
 */
export class TimerIndex {
  constructor(private readonly store: KeyValueStore<string, unknown>) {}

  reschedule(encodedKey: string, previous: number | undefined, next: number | undefined): void {
    if (previous === next) return;
    if (previous !== undefined) this.store.delete(timerKey(previous, encodedKey));
    if (next !== undefined) this.store.put(timerKey(next, encodedKey), encodedKey);
  }

  /** Timers with time <= now, oldest first. */
  async due(now: number): Promise<DueTimer[]> {
    if (!Number.isFinite(now) || now < 0) return [];
    const out: DueTimer[] = [];
    for await (const [key, encodedKey] of this.store.range('t|', `t|${padTime(now + 1)}`)) {
      out.push({ time: Number(key.slice(2, 2 + 16)), encodedKey: encodedKey as string });
    }
    return out;
  }
}

function timerKey(time: number, encodedKey: string): string {
  return `t|${padTime(time)}|${encodedKey}`;
}
