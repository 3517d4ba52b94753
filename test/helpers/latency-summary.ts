/** p50/p99/max of a set of latencies; null figures when there are none. */
export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
}

/**
 * The `q`-quantile of ascending `sorted` values by the nearest-rank method (the smallest value
 * with at least `q` of the values at or below it), so every figure printed is one that was
 * measured, never an interpolation. Throws on an empty list or `q` outside (0, 1].
 */
export function nearestRankPercentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('nearestRankPercentile: no values');
  if (!(q > 0 && q <= 1)) throw new Error(`nearestRankPercentile: q must be in (0, 1], got ${q}`);
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Count, p50, p99 and max of `values` (any order; the input is not modified). */
export function summarizeLatencies(values: readonly number[]): LatencySummary {
  if (values.length === 0) return { count: 0, p50Ms: null, p99Ms: null, maxMs: null };
  const sorted = Float64Array.from(values).sort();
  const list = Array.from(sorted);
  return { count: list.length, p50Ms: nearestRankPercentile(list, 0.5), p99Ms: nearestRankPercentile(list, 0.99), maxMs: list[list.length - 1]! };
}
