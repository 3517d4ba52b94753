/**
 * Open-loop pacing at a fixed rate: how many events should have gone out by a given moment,
 * from the start time alone, so a sender that falls behind catches up (up to a batch cap)
 * instead of silently drifting to a lower rate. Pure: the caller passes the clock.
 *
 * ```
 * rate 1000/s, start 0:   now 0 → due 0;  now 10 → due 10;  now 1500 → due 1500
 * sent 10, now 10         → next batch 0, next event due in 1 ms
 * ```
 */
export class RatePacer {
  constructor(
    /** Events per second; must be > 0. */
    readonly ratePerS: number,
    /** Wall-clock ms at which event 0 is due. */
    readonly startMs: number,
  ) {
    if (!(ratePerS > 0) || !Number.isFinite(ratePerS)) throw new Error(`RatePacer: rate must be a positive number of events/s, got ${ratePerS}`);
  }

  /** Events due by `nowMs`: event i (0-based) is due at start + (i + 1)/rate, so a window of T s holds floor(T·rate). */
  due(nowMs: number): number {
    if (nowMs <= this.startMs) return 0;
    return Math.floor(((nowMs - this.startMs) * this.ratePerS) / 1000);
  }

  /** How many to send now, given `sent` so far, at most `maxBatch` (a sender far behind catches up gradually). */
  batch(sent: number, nowMs: number, maxBatch: number): number {
    return Math.max(0, Math.min(maxBatch, this.due(nowMs) - sent));
  }

  /** ms from `nowMs` until event number `sent` (0-based, the next one after `sent` events) is due; 0 when it already is. */
  msUntilNext(sent: number, nowMs: number): number {
    return Math.max(0, this.startMs + ((sent + 1) * 1000) / this.ratePerS - nowMs);
  }
}
