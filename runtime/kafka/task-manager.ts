import type { SubTopology } from '../../topology/compiled-topology';
import type { Logger } from '../../core/logger';
import { canRetry } from '../../core/failure';
import type { StreamTask } from './stream-task';
import type { TaskStores } from '../state/task-stores';

/** A task as its factory builds it, with the wall-clock punctuation intervals its pipeline asked for. */
export interface BuiltTask {
  readonly task: StreamTask;
  readonly punctuationIntervalsMs: readonly number[];
}

/** A task as interactive queries may see it (StreamApp adds where it stands on its inputs). */
export type TaskView =
  | { readonly state: 'absent' }
  | { readonly state: 'restoring' }
  | { readonly state: 'running'; readonly stores: TaskStores };

/** What the task manager needs from the application around it. */
export interface TaskManagerOptions {
  /** Builds (and restores) a task; StreamApp's wiring of stores, pipeline and committer. */
  readonly build: (id: string, sub: SubTopology, partition: number, heartbeat: () => Promise<void>) => Promise<BuiltTask>;
  /** Moves a partition's fetch position (a replay after a failure); throws when it is not assigned here. */
  readonly seek: (topic: string, partition: number, offset: string) => void;
  /** Whether a Kafka client failure leaves a task usable (from the client behind the seam). */
  readonly isRecoverable: (error: unknown) => boolean;
  /** A failure no retry can fix: the app stops. */
  readonly fatal: (error: unknown) => void;
  /** A task is built and restored (event-time alignment stops waiting for its inputs). */
  readonly onTaskReady: (id: string) => void;
  /** A task left this process (telemetry readiness). */
  readonly onTaskRemoved: (id: string) => void;
  readonly logger: Logger;
}

/** One task of this process: its build in progress, then the task, and its punctuation timers. */
interface ManagedTask {
  readonly built: Promise<StreamTask>;
  /** Set once the build resolved: the task runs (a rebalance commits only these). */
  running?: StreamTask;
  timers: NodeJS.Timeout[];
}

/**
 * The tasks of one process (Kafka Streams' TaskManager): creates them on assignment or at
 * their first batch, closes those the group moved away, commits them on the interval, before
 * a rebalance and at stop, and rebuilds a task whose work since its last commit was given up.
 * StreamApp owns the group membership and the batches; this class owns the tasks.
 */
export class TaskManager {
  private readonly tasks = new Map<string, ManagedTask>();
  /** Tasks being closed: a standby copy of the same task waits for its RocksDB to be released. */
  private readonly closing = new Map<string, Promise<void>>();
  /**
   * Per input lane (`topic/partition`) of a task this process keeps: the next offset its last
   * commit covered. Kept across task rebuilds; a task skips what is below it (StreamTask).
   */
  readonly committedPositions = new Map<string, bigint>();

  constructor(private readonly options: TaskManagerOptions) {}

  /** Every open task, once built. */
  all(): Promise<StreamTask[]> {
    return Promise.all([...this.tasks.values()].map((t) => t.built));
  }

  /** The tasks built and running now (none still restoring). */
  running(): StreamTask[] {
    const running: StreamTask[] = [];
    for (const t of this.tasks.values()) if (t.running) running.push(t.running);
    return running;
  }

  /** The task of this id once built and running here; undefined while it restores or when absent. */
  runningTask(id: string): StreamTask | undefined {
    return this.tasks.get(id)?.running;
  }

  /** Ids of the tasks open or being built here. */
  ids(): string[] {
    return [...this.tasks.keys()];
  }

  /**
   * Resolves once no task of this id is open or closing here (a standby copy may then open its
   * stores), or once `signal` aborts.
   */
  async whenClosed(id: string, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const closing = this.closing.get(id);
      if (closing !== undefined) await closing;
      else if (this.tasks.has(id)) await new Promise((resolve) => setTimeout(resolve, 100));
      else return;
    }
  }

  /** What interactive queries may read of a task here. */
  view(id: string): TaskView {
    const managed = this.tasks.get(id);
    if (managed === undefined) return { state: 'absent' };
    const task = managed.running;
    if (task === undefined) return { state: 'restoring' };
    return task.stores === undefined ? { state: 'absent' } : { state: 'running', stores: task.stores };
  }

  /** The task of a sub-topology's partition, built on first use. */
  task(sub: SubTopology, partition: number, heartbeat: () => Promise<void>): Promise<StreamTask> {
    const id = `${sub.id}_${partition}`;
    const known = this.tasks.get(id);
    if (known) return known.built;
    const built = this.options.build(id, sub, partition, heartbeat).then(({ task, punctuationIntervalsMs }) => {
      managed.running = task;
      if (this.tasks.get(id) === managed) managed.timers = punctuationIntervalsMs.map((ms) => setInterval(() => this.punctuate(task), ms));
      return task;
    });
    const managed: ManagedTask = { built, timers: [] };
    // Until its state is restored the task's inputs hold the others back (their records are coming).
    void built.then(() => this.options.onTaskReady(id), () => this.options.onTaskReady(id));
    built.catch(() => { if (this.tasks.get(id) === managed) this.tasks.delete(id); });
    this.tasks.set(id, managed);
    return built;
  }

  /**
   * The group assigned this process `owned` (task id → sub-topology and partition): tasks are
   * built now (their stores restored before their first batch), kept ones commit what they
   * have pending, and the others are committed and closed.
   */
  async reconcile(owned: ReadonlyMap<string, { sub: SubTopology; partition: number }>, assignedLanes: ReadonlySet<string>): Promise<void> {
    // A partition that went elsewhere may come back after others committed on it: forget where we were.
    for (const lane of [...this.committedPositions.keys()]) if (!assignedLanes.has(lane)) this.committedPositions.delete(lane);
    // A kept task commits what it has pending: the client resumes its partitions from the
    // group's committed offsets, and the task skips what it committed (StreamTask.runBatch).
    for (const [id, { sub, partition }] of owned) {
      const kept = this.tasks.get(id);
      if (kept) void kept.built.then((task) => task.commitPending().catch((error) => this.onCommitFailure(task, error)), () => undefined);
      else this.task(sub, partition, async () => undefined).catch((error) => this.options.fatal(error));
    }
    for (const [id, managed] of [...this.tasks]) {
      if (owned.has(id)) continue;
      this.forget(id);
      this.options.onTaskRemoved(id);
      await this.closeTracked(id, async () => {
        const task = await managed.built.catch(() => undefined);
        if (task) {
          await task.close({ commit: true });
          this.options.logger.info('task closed after rebalance', { task: id });
        }
      });
    }
  }

  /**
   * Give up a task's uncommitted work after a failure another try can fix: its effects sit in
   * the task's in-memory store layers (RocksDB only gets committed writes), so the task is
   * rebuilt from RocksDB and the changelog, and every lane it read since its last commit is
   * sought back to where that work began (batches fetched before become stale).
   */
  async recover(task: StreamTask, error: unknown, alsoFrom: ReadonlyArray<{ topic: string; partition: number; offset: string }> = []): Promise<void> {
    this.options.logger.warn('work since the last commit given up; rebuilding the task and replaying it', { task: task.id, error });
    const from = new Map<string, { topic: string; partition: number; offset: string }>();
    for (const p of [...alsoFrom, ...task.replayPositions()]) {
      const lane = `${p.topic}/${p.partition}`;
      const known = from.get(lane);
      if (!known || BigInt(p.offset) < BigInt(known.offset)) from.set(lane, p);
    }
    for (const p of from.values()) {
      try {
        this.options.seek(p.topic, p.partition, p.offset);
      } catch (seekError) {
        // Not assigned here any more: its next owner starts from the group's committed offset.
        this.options.logger.warn('could not seek back; the partition resumes from its committed offset', { topic: p.topic, partition: p.partition, error: seekError });
      }
    }
    const managed = this.tasks.get(task.id);
    if (!managed) return;
    this.forget(task.id);
    await this.closeTracked(task.id, async () => {
      const built = await managed.built.catch(() => undefined);
      await built?.close({ commit: false, wipe: false }).catch((closeError) => this.options.logger.warn('task close failed', { task: task.id, error: closeError }));
    });
  }

  /**
   * Commit what every task has pending (a rebalance or a stop); a failed commit is given up and
   * replayed. Before a rebalance only tasks already running count: one still restoring has
   * processed nothing, and waiting for its restore would hold the rejoin past the rebalance timeout.
   */
  async commitAllPending(why: 'rebalance' | 'stop'): Promise<void> {
    const tasks = why === 'rebalance'
      ? [...this.tasks.values()].flatMap((t) => (t.running ? [t.running] : []))
      : (await Promise.allSettled([...this.tasks.values()].map((t) => t.built))).flatMap((t) => (t.status === 'fulfilled' ? [t.value] : []));
    await Promise.all(tasks.map((task) => task.commitPending().catch(async (error) => {
      this.options.logger.warn(`commit before ${why} failed; replaying from the last commit`, { task: task.id, error });
      if (why === 'rebalance') await this.recover(task, error).catch(() => undefined);
    })));
  }

  /** Commit every task whose interval has passed (a task with no new batches commits too). */
  commitDue(): void {
    for (const managed of this.tasks.values()) {
      void managed.built.then((task) => task.commitIfDue().catch((error) => this.onCommitFailure(task, error)), () => undefined);
    }
  }

  /** Close every task (committing what each processed) at stop. */
  async closeAll(): Promise<void> {
    const all = [...this.tasks.entries()];
    for (const [id] of all) this.forget(id);
    for (const [id, managed] of all) {
      await this.closeTracked(id, async () => {
        const task = await managed.built.catch(() => undefined);
        if (task) await task.close({ commit: true }).catch((error) => this.options.logger.warn('task close failed', { task: task.id, error }));
      });
    }
  }

  /** Runs a task's close, known to {@link whenClosed} until it ends. */
  private async closeTracked(id: string, close: () => Promise<void>): Promise<void> {
    const done = close();
    const tracked = done.catch(() => undefined).finally(() => { if (this.closing.get(id) === tracked) this.closing.delete(id); });
    this.closing.set(id, tracked);
    await done;
  }

  private onCommitFailure(task: StreamTask, error: unknown): Promise<void> | undefined {
    if (canRetry(error, this.options.isRecoverable)) return this.recover(task, error);
    this.options.fatal(error);
    return undefined;
  }

  private punctuate(task: StreamTask): void {
    task.punctuate().catch((error) => {
      if (canRetry(error, this.options.isRecoverable)) this.options.logger.warn('punctuation failed; will retry', { task: task.id, error });
      else this.options.fatal(error);
    });
  }

  /** Removes a task from the map and stops its punctuation. */
  private forget(id: string): void {
    const managed = this.tasks.get(id);
    if (!managed) return;
    for (const t of managed.timers) clearInterval(t);
    managed.timers = [];
    this.tasks.delete(id);
  }
}
