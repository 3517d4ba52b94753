/**
 * States a task reports, as seen from the outside:
 *
 * ```
 *   assigned ──▶ restoring ──▶ running ──▶ suspended (revoked; removed after)
 *       └─────────────────────────▲
 *   (no stores to restore)
 * ```
 */
export type TaskState = 'assigned' | 'restoring' | 'running' | 'suspended';

/** What `/readyz` answers. */
export interface ReadinessStatus {
  readonly ready: boolean;
  /** Why not ready; empty when ready. */
  readonly reason: string;
  readonly tasks: Readonly<Record<string, TaskState>>;
}

/**
 * Tracks whether this process can do its share of the work, for `/readyz`
 * and for the per-task view of `tributary top`.
 *
 * Ready means: the process joined its consumer group and received an
 * assignment (`setReady(true)`), and every task it was assigned has restored
 * its stores and is running. A member with no partitions (more processes than
 * partitions) is ready: it is a hot spare, not a fault.
 */
export class Readiness {
  private joined = false;
  private readonly taskStates = new Map<string, TaskState>();

  /** The process joined the group and has its assignment (true), or left it / is stopping (false). */
  setReady(joined: boolean): void {
    this.joined = joined;
  }

  /** Report a task's state. */
  setTaskState(taskId: string, state: TaskState): void {
    this.taskStates.set(taskId, state);
  }

  /** Forget a task (its partitions were revoked and it was closed). */
  removeTask(taskId: string): void {
    this.taskStates.delete(taskId);
  }

  /** Every known task and its state, for the `tributary.task.state` gauge. */
  tasks(): Iterable<readonly [string, TaskState]> {
    return this.taskStates.entries();
  }

  /** Whether `/readyz` should answer 200. */
  isReady(): boolean {
    return this.status().ready;
  }

  /** Readiness with the reason when not ready. */
  status(): ReadinessStatus {
    const tasks = Object.fromEntries(this.taskStates);
    if (!this.joined) return { ready: false, reason: 'not a member of the consumer group yet', tasks };
    const waiting = [...this.taskStates].filter(([, s]) => s !== 'running').map(([id, s]) => `${id} ${s}`);
    if (waiting.length > 0) return { ready: false, reason: `tasks not running: ${waiting.join(', ')}`, tasks };
    return { ready: true, reason: '', tasks };
  }
}
