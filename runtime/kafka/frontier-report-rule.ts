/**
 * Share of the skew bound a finite frontier may move before the other
 * processes must hear of it at once (else the next keepalive carries it).
 */
export const FRONTIER_MOVE_SHARE = 1 / 8;

/**
 * Whether a process's lane frontiers changed enough since its last report
 * that the others must be told now rather than at the next keepalive.
 * A report that lags only holds the others back a little longer (they take
 * the lower, older frontier), so a frontier moving forward by less than
 * {@link FRONTIER_MOVE_SHARE} of the skew bound can wait. What cannot wait:
 * a lane that appeared or left, a frontier that moved back (the others
 * would run further ahead than the bound), and a lane turning idle or
 * blocked or back (±Infinity). Over a backlog with a 1 s bound this still
 * reports every 125 ms of event time; with the flagship's 1 d bound, a
 * process reports on its keepalive only, instead of after every batch.
 */
export function frontiersMoved(last: ReadonlyMap<string, number>, now: ReadonlyArray<readonly [string, number]>, maxSkewMs: number): boolean {
  if (last.size !== now.length) return true;
  for (const [lane, frontier] of now) {
    const before = last.get(lane);
    if (before === undefined) return true;
    if (frontier === before) continue;
    if (!Number.isFinite(frontier) || !Number.isFinite(before)) return true;
    if (frontier < before) return true;
    if (frontier - before >= maxSkewMs * FRONTIER_MOVE_SHARE) return true;
  }
  return false;
}
