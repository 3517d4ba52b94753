/**
 * Event-time alignment of the input partitions ("lanes") one process reads,
 * after Flink's watermark alignment and Kafka Streams' PartitionGroup.
 *
 * Each lane's frontier is the event time of the next record it will process:
 * - the head of a batch it holds (seen, not yet processed),
 * - after a batch: +∞ when the lane is caught up (no data to wait for),
 *   else the last processed record's time (its next batch comes next fetch),
 * - a lane assigned but not yet seen, or not heard of since its last
 *   batch: its last known frontier (-∞ when none: it blocks) until `idleMs`
 *   pass without a batch, then +∞ — an idle partition must not stop the
 *   others (Flink's idleness, Kafka Streams' max.task.idle.ms).
 *
 * A lane may process a record while its time is at most the smallest
 * frontier of the other lanes plus a bound: 0 for lanes of the same task
 * (a task takes its partitions' records in timestamp order, so a stream-table
 * join sees the table rows older than the stream record), `maxSkewMs` for
 * lanes of other tasks (so the tasks upstream of a repartition stay within
 * that much event time of each other over a backlog). The lane holding the
 * smallest frontier can always proceed, so the process never stalls.
 * Alignment holds within one process; across processes each aligns its own.
 */
export class EventTimeAligner {
  private readonly lanes = new Map<string, Lane>();
  private waiters: Array<() => void> = [];

  constructor(private readonly maxSkewMs: number, private readonly idleMs: number, private readonly now: () => number = Date.now) {}

  /** The lanes (topic-partitions) this process now owns, with the task each belongs to. */
  assign(lanes: ReadonlyArray<{ lane: string; task: string }>): void {
    const next = new Map<string, Lane>();
    for (const { lane, task } of lanes) next.set(lane, this.lanes.get(lane) ?? { task, frontier: undefined, holding: false, updatedAt: this.now() });
    this.lanes.clear();
    for (const [k, v] of next) this.lanes.set(k, v);
    this.wake();
  }

  /**
   * How many leading `times` (event times of a batch's records, in offset
   * order) `lane` may process now; records the alignment holds back are
   * fetched again.
   */
  admit(lane: string, task: string, times: readonly number[]): number {
    let own = this.lanes.get(lane);
    if (!own) {
      own = { task, frontier: undefined, holding: false, updatedAt: this.now() };
      this.lanes.set(lane, own);
    }
    if (times.length === 0) return 0;
    own.frontier = times[0];
    own.holding = true;
    own.updatedAt = this.now();
    const limit = this.limitFor(lane, own.task);
    let n = 0;
    while (n < times.length && times[n] <= limit) n++;
    return n;
  }

  /** `lane` processed records up to `lastTime`; `caughtUp` when nothing is left to fetch. */
  processed(lane: string, lastTime: number | undefined, caughtUp: boolean): void {
    const own = this.lanes.get(lane);
    if (!own) return;
    // A batch of poison records only has no event time: the lane's last one stands.
    own.frontier = caughtUp ? Infinity : lastTime ?? own.frontier;
    own.holding = false;
    own.updatedAt = this.now();
    this.wake();
  }

  /** Resolves when any lane moves on, or after `timeoutMs`. */
  waitForProgress(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const waiters = this.waiters;
      function done(): void { clearTimeout(timer); resolve(); }
      waiters.push(done);
    });
  }

  private limitFor(lane: string, task: string): number {
    let limit = Infinity;
    const now = this.now();
    for (const [other, state] of this.lanes) {
      if (other === lane) continue;
      const idle = !state.holding && now - state.updatedAt >= this.idleMs;
      const frontier = idle ? Infinity : state.frontier ?? -Infinity;
      limit = Math.min(limit, frontier + (state.task === task ? 0 : this.maxSkewMs));
    }
    return limit;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

interface Lane {
  readonly task: string;
  /** Event time of the lane's next record (or its last one); undefined until first seen. */
  frontier: number | undefined;
  /** A batch of the lane was seen and not (fully) processed: its head is certain. */
  holding: boolean;
  /** When the lane was assigned or last reported (for the idle timeout). */
  updatedAt: number;
}
