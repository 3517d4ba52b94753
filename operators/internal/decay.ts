/**
 * Exponential decay: a quantity with half-life h loses half its weight every h
 * milliseconds, so one number per half-life summarises an unbounded history
 * (O(1) state per key). Updates arriving out of order decay the increment
 * instead of the total, which makes the result independent of arrival order.
 */
export function decayFactor(elapsedMs: number, halfLifeMs: number): number {
  return Math.pow(2, -elapsedMs / halfLifeMs);
}

/** Adds `amount` observed at `at` to `total` last brought to `totalAt`; returns the value at max(at, totalAt). */
export function decayedAdd(total: number, totalAt: number, amount: number, at: number, halfLifeMs: number): number {
  if (at >= totalAt) return total * decayFactor(at - totalAt, halfLifeMs) + amount;
  return total + amount * decayFactor(totalAt - at, halfLifeMs);
}

/** Short labels for half-lives in results: 3600000 -> '1h', 604800000 -> '7d'. */
export function durationLabel(ms: number): string {
  const units: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]];
  for (const [unit, size] of units) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}
