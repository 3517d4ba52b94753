/**
 * The one definition of a percentile for every figure Tributary prints from samples
 * (benchmarks, fault recoveries, the demo's latencies): the nearest-rank method. The
 * q-quantile is the smallest sample with at least a share q of the samples at or below
 * it, so every figure is a value that was measured, never an interpolation between two,
 * and the median of an even count is the lower middle sample.
 *
 * Figures read from Prometheus histograms (the status line, `tributary top`) have no
 * samples, only bucket counts: they use `histogram_quantile`'s interpolation instead
 * (runtime/telemetry/internal/histogram-quantile.ts), so they agree with Grafana's.
 */

/**
 * The `q`-quantile (0 < q ≤ 1) of `sorted`, which must be in ascending order: for
 * several quantiles of one large set, sort it once. Throws on an empty set or a `q`
 * outside (0, 1].
 */
export function percentileOfSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of no values');
  if (!(q > 0 && q <= 1)) throw new RangeError(`percentile: q must be in (0, 1], got ${q}`);
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** The `q`-quantile (0 < q ≤ 1) of `values` in any order (not modified), compared as numbers. */
export function percentile(values: ArrayLike<number>, q: number): number {
  return percentileOfSorted(Float64Array.from(values).sort(), q);
}

/** The median of `values` in any order: {@link percentile} at 0.5 (the lower middle of an even count). */
export function median(values: ArrayLike<number>): number {
  return percentile(values, 0.5);
}
