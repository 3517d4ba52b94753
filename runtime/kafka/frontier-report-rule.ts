/**
 * Share of the skew bound a finite frontier may move before the other
 * processes must hear of it at once (else the next keepalive carries it).
 */
export const FRONTIER_MOVE_SHARE = 1 / 8;

/**
 * Whether a process's lane frontiers changed enough since its last report
 * that the others must be told now rather than at the next keepalive.
 *
 * A frontier `f` matters to the others only through the limit `f + bound`
 * it sets them, and only to a lane that is near that limit. `leadingEdge` is
 * the latest finite frontier known of any lane, here or in another process
 * (`EventTimeAligner.leadingEdge`): no lane is known to be past it. So:
 * - a lane that appeared or left, or turned blocked (-∞): always now;
 * - a move back (a new head older than the last report, or a caught-up lane
 *   taking records again): now when its new limit is within an eighth of the
 *   bound of the leading edge (someone may be about to pass it), else it
 *   waits: nobody is near that limit;
 * - a move forward (a lane catching up, or its head advancing): now when the
 *   old limit was within an eighth of the bound of the leading edge (someone
 *   may be waiting on it) and the move is to or from ±∞ or an eighth of the
 *   bound or more; else it waits, and a report that lags only holds the
 *   others back a little longer.
 * - the latest finite frontier here is an eighth of the bound or more past
 *   `sentEdge`, the latest this process has reported: now, so the others'
 *   leading edge is never more than that behind this process's, and the
 *   moves back they let wait stay within that margin.
 * Live, with frontiers close together and a bound much larger than their
 * spread (the flagship's 1 d), a process reports on its keepalive only,
 * instead of each time a lane catches up or takes a batch. Over a backlog,
 * where lanes lag the leading edge by about the bound, every move counts.
 * When another lane moves the leading edge on, the exchange asks again.
 */
export function frontiersMoved(
  last: ReadonlyMap<string, number>,
  now: ReadonlyArray<readonly [string, number]>,
  maxSkewMs: number,
  leadingEdge = Infinity,
  sentEdge = Infinity,
): boolean {
  if (last.size !== now.length) return true;
  const share = maxSkewMs * FRONTIER_MOVE_SHARE;
  if (latestFinite(now) - sentEdge >= share) return true;
  // A limit `frontier + bound` that a lane at the leading edge is within `share` of.
  const near = (frontier: number): boolean => frontier + maxSkewMs - share <= leadingEdge;
  for (const [lane, frontier] of now) {
    const before = last.get(lane);
    if (before === undefined) return true;
    if (frontier === before) continue;
    if (frontier === -Infinity) return true;
    if (frontier < before) {
      if (near(frontier)) return true;
      continue;
    }
    const bigMove = !Number.isFinite(frontier) || !Number.isFinite(before) || frontier - before >= share;
    if (bigMove && near(before)) return true;
  }
  return false;
}

/** The latest finite frontier of `lanes` (-∞ when none is finite). */
export function latestFinite(lanes: ReadonlyArray<readonly [string, number]>): number {
  let latest = -Infinity;
  for (const [, frontier] of lanes) if (Number.isFinite(frontier) && frontier > latest) latest = frontier;
  return latest;
}
