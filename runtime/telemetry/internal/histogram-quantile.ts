import type { PrometheusScrape } from '../prometheus-text';

/** Cumulative bucket counts of one histogram, summed over all its label sets, by upper bound. */
export function histogramBuckets(scrape: PrometheusScrape, name: string): Map<number, number> {
  const buckets = new Map<number, number>();
  for (const s of scrape.samples) {
    if (s.name !== `${name}_bucket` || s.labels.le === undefined) continue;
    const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
    buckets.set(le, (buckets.get(le) ?? 0) + s.value);
  }
  return buckets;
}

/** `now - before`, bucket by bucket (counters only grow, so this is the interval's histogram). */
export function subtractBuckets(now: Map<number, number>, before: Map<number, number> | undefined): Map<number, number> {
  if (!before) return now;
  const out = new Map<number, number>();
  for (const [le, n] of now) out.set(le, Math.max(0, n - (before.get(le) ?? 0)));
  return out;
}

/**
 * The q-quantile (0..1) of a cumulative histogram, interpolating linearly
 * inside the bucket it falls in, as Prometheus' `histogram_quantile` does.
 * Undefined when the histogram is empty. A quantile in the +Inf bucket
 * answers the highest finite bound.
 */
export function histogramQuantile(q: number, buckets: Map<number, number>): number | undefined {
  const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
  const total = sorted.length > 0 ? sorted[sorted.length - 1][1] : 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  let prevBound = 0;
  let prevCount = 0;
  for (const [bound, count] of sorted) {
    if (count >= rank) {
      if (bound === Infinity) return prevBound;
      const inBucket = count - prevCount;
      return inBucket <= 0 ? bound : prevBound + ((bound - prevBound) * (rank - prevCount)) / inBucket;
    }
    prevBound = bound;
    prevCount = count;
  }
  return prevBound;
}
