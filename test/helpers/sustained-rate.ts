/** What one fixed-rate run measured, as far as "sustained" is concerned. */
export interface RateOutcome {
  /** Offered input rate, events/s. */
  readonly rate: number;
  /** Input rate actually produced during the measured window, events/s. */
  readonly achievedRate: number;
  /** Input records the application had not committed when the bounded drain wait ended (null: unknown). */
  readonly lagAfterDrain: number | null;
  /** p99 latency used for the pick, ms (null: no samples). */
  readonly p99Ms: number | null;
}

/** Share of the offered rate the feeder must reach for a run to count. */
export const ACHIEVED_RATE_SHARE = 0.95;

/**
 * True when the application kept up with the run's rate: the feeder produced at least
 * {@link ACHIEVED_RATE_SHARE} of the offered rate and the application had committed all of its
 * input by the end of the bounded drain wait (lag 0). Percentiles of a run that did not keep
 * up only cover the updates that arrived, so they understate its latency.
 */
export function keptUp(o: RateOutcome): boolean {
  return o.achievedRate >= ACHIEVED_RATE_SHARE * o.rate && o.lagAfterDrain === 0;
}

/**
 * The highest offered rate among `outcomes` that kept up (see {@link keptUp}) with a p99 below
 * `p99LimitMs`; null when none did. Rates are judged one by one (a failed lower rate does not
 * disqualify a higher one that passed: both are printed, the reader sees the noise).
 */
export function highestSustainedRate(outcomes: readonly RateOutcome[], p99LimitMs: number): number | null {
  let best: number | null = null;
  for (const o of outcomes) {
    if (!keptUp(o) || o.p99Ms === null || !(o.p99Ms < p99LimitMs)) continue;
    if (best === null || o.rate > best) best = o.rate;
  }
  return best;
}
