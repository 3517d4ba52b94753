import * as path from 'node:path';
import type { KafkaAdmin, KafkaClient } from './client/kafka-client';
import type { CompiledTopology } from '../../topology/compiled-topology';
import type { Logger } from '../../core/logger';
import { TaskStores } from '../state/task-stores';
import { KafkaChangelogReader } from '../state/changelog-restorer';
import { StateStoreError } from '../state/errors';
import type { InputPosition, StandbyTaskView } from './store-access';

/** Options of {@link StandbyTasks}. */
export interface StandbyTasksOptions {
  readonly topology: CompiledTopology;
  readonly kafka: KafkaClient;
  readonly logger: Logger;
  /** How often each copy reads what its changelogs got since the last round (ms). */
  readonly updateIntervalMs: number;
  /** Resolves once no active task of this id is open here: one RocksDB instance is opened by one owner at a time. */
  readonly activeClosed: (taskId: string, signal: AbortSignal) => Promise<void>;
}

/** One standby copy: its stores once open, and the update running on them. */
interface StandbyCopy {
  readonly taskId: string;
  readonly abort: AbortController;
  readonly opened: Promise<TaskStores | undefined>;
  /** The stores once `opened` resolved (read synchronously by offsetSums). */
  stores?: TaskStores;
  updating: Promise<void>;
  /** Records applied since the copy opened (logged once it first caught up). */
  applied: number;
  caughtUp: boolean;
}

/**
 * Standby replicas (Kafka Streams' standby tasks): warm copies of other processes' stateful
 * tasks. A copy opens the task's stores in the task's own directory under the state dir and
 * applies its changelogs' new records every `updateIntervalMs`, checkpointing as a restore does;
 * it never processes input. When the group moves the task here, the copy is closed first and
 * the task opens the same directory from the copy's checkpoint, so it restores only the tail
 * written since the last round. The group's assignor prefers the process whose copy is
 * freshest (task-assignment.ts).
 *
 * A copy that fails to update logs and tries again next round; one whose changelog was
 * recreated or truncated below its checkpoint is wiped and read again from the beginning.
 */
export class StandbyTasks {
  private readonly copies = new Map<string, StandbyCopy>();
  private timer?: NodeJS.Timeout;
  private admin?: Promise<KafkaAdmin>;
  private round?: Promise<void>;
  private closed = false;

  constructor(private readonly options: StandbyTasksOptions) {}

  /** Task ids this process keeps copies of now. */
  get taskIds(): string[] {
    return [...this.copies.keys()];
  }

  /** How far each open copy's checkpoint reached (the sum of its changelogs' next offsets). */
  offsetSums(): Map<string, number> {
    const sums = new Map<string, number>();
    for (const copy of this.copies.values()) {
      const stores = copy.stores;
      if (stores) sums.set(copy.taskId, stores.checkpointedOffsets().reduce((n, o) => n + Number(o.offset), 0));
    }
    return sums;
  }

  /**
   * The copy of `taskId` for a query (`?allowStandby=true`): its stores once open, and where it
   * stands on each changelog partition (`committedOffset`: the copy's checkpoint; `highWatermark`:
   * the partition's last stable offset now).
   */
  view(taskId: string): StandbyTaskView | undefined {
    const stores = this.copies.get(taskId)?.stores;
    if (stores === undefined) return undefined;
    return {
      stores,
      position: async () => {
        this.admin ??= this.options.kafka.admin();
        const admin = await this.admin;
        const positions: InputPosition[] = [];
        for (const p of stores.changelogPartitions()) {
          const at = stores.checkpointedOffsets().find((o) => o.topic === p.topic && o.partition === p.partition)?.offset ?? null;
          const end = (await admin.topicOffsets(p.topic).catch(() => [])).find((o) => o.partition === p.partition)?.high ?? null;
          positions.push({ topic: p.topic, partition: p.partition, committedOffset: at, highWatermark: end, lag: at !== null && end !== null ? Math.max(0, Number(BigInt(end) - BigInt(at))) : null });
        }
        return positions;
      },
    };
  }

  /** Keep copies of exactly `taskIds` (none of them active here): closes the others, opens the new ones. */
  async assign(taskIds: ReadonlySet<string>): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.copies.keys()].filter((id) => !taskIds.has(id)).map((id) => this.release(id)));
    for (const id of taskIds) if (!this.copies.has(id)) this.open(id);
    if (this.copies.size > 0 && this.timer === undefined) {
      this.timer = setInterval(() => { this.round ??= this.updateAll().finally(() => { this.round = undefined; }); }, this.options.updateIntervalMs);
    }
    if (taskIds.size > 0) this.options.logger.info('standby tasks assigned', { tasks: [...taskIds].sort().join(',') });
  }

  /** Closes the copy of `taskId` if there is one (the task becomes active here, or moves away); idempotent. */
  async release(taskId: string): Promise<void> {
    const copy = this.copies.get(taskId);
    if (copy === undefined) return;
    this.copies.delete(taskId);
    copy.abort.abort(new StateStoreError(`standby copy of task ${taskId} released`, true));
    await copy.updating.catch(() => undefined);
    const stores = await copy.opened.catch(() => undefined);
    await stores?.close().catch((error) => this.options.logger.warn('standby close failed', { task: taskId, error }));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await Promise.all([...this.copies.keys()].map((id) => this.release(id)));
    await this.round?.catch(() => undefined);
    const admin = await this.admin?.catch(() => undefined);
    await admin?.close().catch(() => undefined);
  }

  private open(taskId: string): void {
    const { topology } = this.options;
    const [subId, partition] = taskId.split('_').map(Number);
    const sub = topology.subTopologies.find((s) => s.id === subId);
    const abort = new AbortController();
    const opened = (async (): Promise<TaskStores | undefined> => {
      if (sub === undefined || sub.stores.length === 0) return undefined;
      await this.options.activeClosed(taskId, abort.signal);
      if (abort.signal.aborted) return undefined;
      return TaskStores.open({
        stateDir: topology.processing.stateDir,
        appId: topology.name,
        taskId,
        partition,
        processingGuarantee: topology.processing.guarantee,
        stores: sub.stores.map((name) => ({ name, changelog: topology.stores[name].changelog })),
      });
    })();
    const copy: StandbyCopy = { taskId, abort, opened, updating: Promise.resolve(), applied: 0, caughtUp: false };
    void opened.then((stores) => { copy.stores = stores; }, (error: unknown) => {
      this.options.logger.warn('standby copy could not open; the task restores in full if it moves here', { task: taskId, error });
      if (this.copies.get(taskId) === copy) this.copies.delete(taskId);
    });
    this.copies.set(taskId, copy);
  }

  /** One round: every open copy reads its changelogs up to their current end. */
  private async updateAll(): Promise<void> {
    for (const copy of [...this.copies.values()]) {
      if (this.closed || this.copies.get(copy.taskId) !== copy) continue;
      const stores = copy.stores;
      if (stores === undefined) continue;
      copy.updating = this.update(copy, stores);
      await copy.updating;
    }
  }

  private async update(copy: StandbyCopy, stores: TaskStores): Promise<void> {
    try {
      this.admin ??= this.options.kafka.admin();
      const admin = await this.admin.catch((error: unknown) => {
        this.admin = undefined;
        throw error;
      });
      const reader = new KafkaChangelogReader(this.options.kafka, { progress: false, admin, signal: copy.abort.signal });
      const summaries = await stores.restore(reader);
      copy.applied += summaries.reduce((n, s) => n + s.records, 0);
      if (!copy.caughtUp) {
        copy.caughtUp = true;
        this.options.logger.info('standby copy caught up', { task: copy.taskId, records: copy.applied, dir: path.basename(stores.taskDir) });
      }
    } catch (error) {
      if (copy.abort.signal.aborted) return;
      if (error instanceof StateStoreError && !error.retriable) {
        // The changelog is behind the checkpoint (recreated or truncated): start the copy over.
        this.options.logger.warn('standby copy does not match its changelog; wiping it and reading again', { task: copy.taskId, error });
        await stores.wipe().catch(() => undefined);
        if (this.copies.get(copy.taskId) === copy) {
          this.copies.delete(copy.taskId);
          this.open(copy.taskId);
        }
        return;
      }
      this.options.logger.warn('standby update failed; trying again next round', { task: copy.taskId, error });
    }
  }
}
