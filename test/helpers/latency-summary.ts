import { percentileOfSorted } from '../../core/percentile';

/** p50/p99/max of a set of latencies; null figures when there are none. */
export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
}

/** Count, p50, p99 (nearest rank, core/percentile.ts) and max of `values` (any order; the input is not modified). */
export function summarizeLatencies(values: readonly number[]): LatencySummary {
  if (values.length === 0) return { count: 0, p50Ms: null, p99Ms: null, maxMs: null };
  const sorted = Float64Array.from(values).sort();
  return { count: sorted.length, p50Ms: percentileOfSorted(sorted, 0.5), p99Ms: percentileOfSorted(sorted, 0.99), maxMs: sorted[sorted.length - 1]! };
}
