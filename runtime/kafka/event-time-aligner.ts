/**
 * Event-time alignment of the input partitions ("lanes") one process reads,
 * after Flink's watermark alignment and Kafka Streams' PartitionGroup.
 *
 * Each lane's frontier is the event time of the next record it will process:
 * - the head of a batch it holds (seen, not yet processed),
 * - after a batch: +∞ when the lane is caught up (no data to wait for),
 *   else the first record of the tail it held back, when it held one, else
 *   the last processed record's time (its next batch comes next fetch),
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
 * that much event time of each other over a backlog). The bound between tasks
 * applies only to lanes for which `acrossTasks` says so: those of tasks whose
 * records merge downstream (upstream of a repartition topic). Other tasks'
 * outputs never meet, so holding them back would only cost re-fetches (Kafka
 * Streams aligns within a task only). The lane holding the
 * smallest frontier can always proceed, so the process never stalls.
 * Across processes, each process publishes its lanes' frontiers
 * (alignment-exchange.ts) and the others take them as lanes of other tasks;
 * a report older than `staleMs` is ignored, so a dead process stops holding
 * anyone back. A lane whose task is still being created (restoring its
 * state) holds the others without an idle timeout: its records are coming.
 */
export class EventTimeAligner {
  private readonly lanes = new Map<string, Lane>();
  private readonly remote = new Map<string, { lanes: ReadonlyMap<string, number>; receivedAt: number }>();
  private waiters: Array<() => void> = [];
  /** The latest finite frontier seen of any lane, local or remote (see {@link leadingEdge}). */
  private edge = -Infinity;
  /** Told whenever a local lane's frontier may have moved (the exchange publishes then). */
  onLocalChange?: () => void;

  constructor(
    /** How far (ms of event time) a lane may run ahead of the slowest lane of another task. */
    readonly maxSkewMs: number,
    private readonly idleMs: number,
    private readonly now: () => number = Date.now,
    private readonly staleMs = Math.max(3_000, 3 * idleMs),
    /** Whether a lane (`topic/partition`) is held to, and holds, the lanes of other tasks (default: every lane). */
    private readonly acrossTasks: (lane: string) => boolean = () => true,
  ) {}

  /** The lanes (topic-partitions) this process now owns, with the task each belongs to; new ones start as their task is created. */
  assign(lanes: ReadonlyArray<{ lane: string; task: string }>): void {
    const next = new Map<string, Lane>();
    for (const { lane, task } of lanes) next.set(lane, this.lanes.get(lane) ?? { task, frontier: undefined, holding: false, starting: true, updatedAt: this.now() });
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
      own = { task, frontier: undefined, holding: false, starting: false, updatedAt: this.now() };
      this.lanes.set(lane, own);
    }
    if (times.length === 0) return 0;
    if (own.frontier !== times[0] || !own.holding) this.onLocalChange?.();
    own.frontier = times[0];
    this.seen(times[0]);
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
    own.caughtUpOnDelivery = undefined;
    // A batch of poison records only has no event time: the lane's last one stands.
    own.frontier = caughtUp ? Infinity : lastTime ?? own.frontier;
    if (lastTime !== undefined) this.seen(lastTime);
    own.holding = false;
    own.updatedAt = this.now();
    this.onLocalChange?.();
    this.wake();
  }

  /**
   * `lane` processed records up to `lastTime` and nothing is left to fetch, but their outputs are
   * on their way: the lane counts at `lastTime` until `delivered` settles, then as caught up (+∞),
   * unless another batch of the lane came first. Marked at once, a task downstream could see the
   * other tasks' later records before these outputs and drop them as late (decision 0039).
   */
  processedThenCaughtUp(lane: string, lastTime: number | undefined, delivered: Promise<void>): void {
    this.processed(lane, lastTime, false);
    const own = this.lanes.get(lane);
    if (!own) return;
    const batch = {};
    own.caughtUpOnDelivery = batch;
    void delivered.then(() => {
      if (this.lanes.get(lane) === own && own.caughtUpOnDelivery === batch) this.processed(lane, undefined, true);
    });
  }

  /** The task's state is restored and it takes records: its lanes may go idle from now on. */
  taskReady(task: string): void {
    for (const lane of this.lanes.values()) {
      if (lane.task !== task || !lane.starting) continue;
      lane.starting = false;
      lane.updatedAt = this.now();
      this.onLocalChange?.();
    }
  }

  /** Another process's lanes and their frontiers (-Infinity: blocked, Infinity: idle), as it last reported them. */
  setRemote(member: string, lanes: ReadonlyMap<string, number>): void {
    this.remote.set(member, { lanes, receivedAt: this.now() });
    for (const frontier of lanes.values()) this.seen(frontier);
    this.wake();
  }

  /**
   * The latest finite frontier seen of any lane, here or reported by another
   * process (-∞ before any): no lane is known to have gone past it, so a
   * limit far beyond it holds nobody back yet (frontier-report-rule.ts). It
   * never moves back: one record with a far-future time makes every later
   * move count as near, which costs reports, not correctness.
   */
  leadingEdge(): number {
    return this.edge;
  }

  private seen(frontier: number): void {
    if (Number.isFinite(frontier) && frontier > this.edge) this.edge = frontier;
  }

  /** This process's lanes with the frontier they hold the others to, for the other processes. */
  report(): Array<[string, number]> {
    const now = this.now();
    return [...this.lanes].map(([lane, state]) => [lane, this.effectiveFrontier(state, now)]);
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

  /**
   * Whether `lane`, whose batch starting at `head` was held back whole, should wait in its
   * handler for another lane to move: only when a lane holding it moves with time (another
   * process's report, a task restoring, a lane not seen yet or whose outputs are being
   * acknowledged). A lane held only by local lanes whose next records come with the next fetch
   * must not wait: the client fetches again only once every handler of its fetch returned, so
   * the wait would hold up the very fetch it waits for (seen: the flagship's thread idle 20 % of a
   * backlog, in ~100 ms gaps).
   */
  waitsOnTime(lane: string, task: string, head: number): boolean {
    let waits = false;
    this.forEachConstraint(lane, task, (limit, movesWithTime) => { if (limit < head && movesWithTime) waits = true; });
    return waits;
  }

  private limitFor(lane: string, task: string): number {
    let min = Infinity;
    this.forEachConstraint(lane, task, (limit) => { if (limit < min) min = limit; });
    return min;
  }

  /**
   * What holds `lane` back: one limit per other lane of its task, of other tasks, or of other
   * processes, and whether it moves with time. A callback, not a generator: this runs for every
   * batch.
   */
  private forEachConstraint(lane: string, task: string, visit: (limit: number, movesWithTime: boolean) => void): void {
    const now = this.now();
    const across = this.acrossTasks(lane);
    for (const [other, state] of this.lanes) {
      if (other === lane) continue;
      const movesWithTime = state.starting || state.frontier === undefined || state.caughtUpOnDelivery !== undefined;
      if (state.task === task) {
        // The task's own later outputs follow the ones still being acknowledged (its sends go one
        // after another, decision 0039): for its other lanes a caught-up lane is caught up at once.
        const caughtUp = state.caughtUpOnDelivery !== undefined && !state.holding;
        visit(caughtUp ? Infinity : this.effectiveFrontier(state, now), movesWithTime && !caughtUp);
      } else if (across && this.acrossTasks(other)) {
        visit(this.effectiveFrontier(state, now) + this.maxSkewMs, movesWithTime);
      }
    }
    if (!across) return;
    for (const [member, report] of this.remote) {
      if (now - report.receivedAt > this.staleMs) {
        this.remote.delete(member);
        continue;
      }
      // A lane this process owns now is judged by its own state, not by an older report.
      for (const [other, frontier] of report.lanes) {
        if (!this.lanes.has(other) && this.acrossTasks(other)) visit(frontier + this.maxSkewMs, true);
      }
    }
  }

  private effectiveFrontier(state: Lane, now: number): number {
    const idle = !state.holding && !state.starting && now - state.updatedAt >= this.idleMs;
    return idle ? Infinity : state.frontier ?? -Infinity;
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
  /** Its task is being created (state restoring): it cannot be idle yet. */
  starting: boolean;
  /** When the lane was assigned or last reported (for the idle timeout). */
  updatedAt: number;
  /** The batch whose delivery will mark the lane caught up ({@link EventTimeAligner.processedThenCaughtUp}); a later batch replaces it. */
  caughtUpOnDelivery?: object;
}
