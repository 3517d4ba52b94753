/**
 * Event-time alignment of the input partitions ("lanes") one process reads,
 * after Flink's watermark alignment and Kafka Streams' PartitionGroup.
 *
 * Each lane's frontier is the event time of the next record it will process:
 * - the head of the records its task buffers (fetched, not yet processed:
 *   partition-group.ts),
 * - with nothing buffered: +∞ when the lane is caught up (no data to wait
 *   for), else the last processed record's time (its next batch comes next
 *   fetch),
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
 * anyone back. A lane handed to another process at a rebalance counts at its
 * last frontier here until its new owner reports it, for at most `staleMs`.
 * A lane whose task is still being created (restoring its state) holds the
 * others without an idle timeout: its records are coming.
 */
/** The entry of {@link EventTimeAligner}'s remote lanes for lanes this process handed to another (not a member id: those are UUIDs). */
const HANDED_OVER = '(handed over)';

export class EventTimeAligner {
  private readonly lanes = new Map<string, Lane>();
  private readonly remote = new Map<string, { lanes: ReadonlyMap<string, number>; receivedAt: number }>();
  /** The latest finite frontier seen of any lane, local or remote (see {@link leadingEdge}). */
  private edge = -Infinity;
  /** Told whenever a local lane's frontier may have moved (the exchange publishes then). */
  onLocalChange?: () => void;
  /** Told whenever a lane moved on, here or in another process: held records may go now. */
  onProgress?: () => void;

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
    const now = this.now();
    const next = new Map<string, Lane>();
    for (const { lane, task } of lanes) next.set(lane, this.lanes.get(lane) ?? { task, frontier: undefined, holding: false, starting: true, updatedAt: now });
    // A lane that moved to another process holds the others at its last frontier until its new
    // owner reports it (or the report would be stale): until then nothing here knows where it
    // stands, and lanes that ran on unbounded would make a window downstream drop records as late.
    const handedOver = new Map(this.remote.get(HANDED_OVER)?.lanes ?? []);
    for (const [lane, state] of this.lanes) {
      const frontier = this.effectiveFrontier(state, now);
      if (!next.has(lane) && frontier !== Infinity) handedOver.set(lane, frontier);
    }
    for (const lane of next.keys()) handedOver.delete(lane);
    if (handedOver.size > 0) this.remote.set(HANDED_OVER, { lanes: handedOver, receivedAt: now });
    else this.remote.delete(HANDED_OVER);
    this.lanes.clear();
    for (const [k, v] of next) this.lanes.set(k, v);
    this.wake();
  }

  /**
   * How many leading `times` from index `from` (event times of the lane's
   * buffered records, in offset order) `lane` may process now; the rest wait
   * in the task's buffer. None for a lane not assigned here.
   */
  admit(lane: string, task: string, times: readonly number[], from = 0): number {
    // A lane not assigned here (its task closes after a rebalance, or the assignment is still
    // being applied) takes nothing: its owner fetches it from the committed offset. Taken in as a
    // lane, it would hold every other lane to a head nobody processes.
    const own = this.lanes.get(lane);
    if (!own || own.task !== task || from >= times.length) return 0;
    const head = times[from];
    const moved = own.frontier !== head || !own.holding;
    own.frontier = head;
    this.seen(head);
    own.holding = true;
    own.updatedAt = this.now();
    if (moved) {
      this.onLocalChange?.();
      // Lanes held back by this one's unknown or older head may go now.
      this.wake();
    }
    const limit = this.limitFor(lane, own.task);
    let n = from;
    while (n < times.length && times[n] <= limit) n++;
    return n - from;
  }

  /** `lane` processed records up to `lastTime` and buffers none; `caughtUp` when nothing is left to fetch. */
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
   * `lane` processed what it was admitted; its next record, at `head`, waits in its task's buffer.
   * The head is certain: the lane holds the others to it without an idle timeout.
   */
  buffered(lane: string, head: number): void {
    const own = this.lanes.get(lane);
    if (!own) return;
    own.caughtUpOnDelivery = undefined;
    own.frontier = head;
    this.seen(head);
    own.holding = true;
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
    const handedOver = this.remote.get(HANDED_OVER);
    if (handedOver !== undefined) {
      // The new owner's report replaces what this process last knew of a lane it handed over.
      const left = new Map([...handedOver.lanes].filter(([lane]) => !lanes.has(lane)));
      if (left.size === 0) this.remote.delete(HANDED_OVER);
      else this.remote.set(HANDED_OVER, { lanes: left, receivedAt: handedOver.receivedAt });
    }
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

  /**
   * The latest event time `lane` may process now: the smallest limit any other lane sets, of
   * its task, of other tasks or of other processes.
   */
  private limitFor(lane: string, task: string): number {
    const now = this.now();
    const across = this.acrossTasks(lane);
    let min = Infinity;
    for (const [other, state] of this.lanes) {
      if (other === lane) continue;
      if (state.task === task) {
        // The task's own later outputs follow the ones still being acknowledged (its sends go one
        // after another, decision 0039): for its other lanes a caught-up lane is caught up at once.
        const caughtUp = state.caughtUpOnDelivery !== undefined && !state.holding;
        min = Math.min(min, caughtUp ? Infinity : this.effectiveFrontier(state, now));
      } else if (across && this.acrossTasks(other)) {
        min = Math.min(min, this.effectiveFrontier(state, now) + this.maxSkewMs);
      }
    }
    if (!across) return min;
    for (const [member, report] of this.remote) {
      if (now - report.receivedAt > this.staleMs) {
        this.remote.delete(member);
        continue;
      }
      // A lane this process owns now is judged by its own state, not by an older report.
      for (const [other, frontier] of report.lanes) {
        if (!this.lanes.has(other) && this.acrossTasks(other)) min = Math.min(min, frontier + this.maxSkewMs);
      }
    }
    return min;
  }

  private effectiveFrontier(state: Lane, now: number): number {
    const idle = !state.holding && !state.starting && now - state.updatedAt >= this.idleMs;
    return idle ? Infinity : state.frontier ?? -Infinity;
  }

  private wake(): void {
    this.onProgress?.();
  }
}

interface Lane {
  readonly task: string;
  /** Event time of the lane's next record (or its last one); undefined until first seen. */
  frontier: number | undefined;
  /** The lane's next record is known (admitted or buffered, not processed yet): its head is certain. */
  holding: boolean;
  /** Its task is being created (state restoring): it cannot be idle yet. */
  starting: boolean;
  /** When the lane was assigned or last reported (for the idle timeout). */
  updatedAt: number;
  /** The batch whose delivery will mark the lane caught up ({@link EventTimeAligner.processedThenCaughtUp}); a later batch replaces it. */
  caughtUpOnDelivery?: object;
}
