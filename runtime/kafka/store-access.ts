import type { CompiledTopology } from '../../topology/compiled-topology';
import type { Serde } from '../../schemas/serde';
import type { TaskStores } from '../state/task-stores';
import type { MemberEndpoint } from './client/group-endpoints';
import type { GlobalStores } from './global-stores';

/**
 * Where a task's committed state stands on one input partition: `committedOffset` is the next
 * offset after the last record its state reflects (the task's last commit; before its first
 * commit here, the group's committed offset it resumed from), `highWatermark` the partition's
 * end (last stable offset) as of the task's last fetch or a look-up at most a second old, and
 * `lag` the records between them. Null where unknown (no commit yet, the look-up failed).
 */
export interface InputPosition {
  readonly topic: string;
  readonly partition: number;
  readonly committedOffset: string | null;
  readonly highWatermark: string | null;
  readonly lag: number | null;
}

/** A task of this process as a query sees it. */
export type LocalTaskView =
  | { readonly state: 'absent' }
  | { readonly state: 'restoring' }
  | { readonly state: 'running'; readonly stores: TaskStores; position(): Promise<readonly InputPosition[]> };

/** A standby copy as a query sees it: its stores, and how far its changelogs' ends are ahead of it. */
export interface StandbyTaskView {
  readonly stores: TaskStores;
  position(): Promise<readonly InputPosition[]>;
}

/** What queries read of a running application (StreamApp.storeAccess()). */
export interface StoreAccess {
  readonly topology: CompiledTopology;
  /** `host:port` this process advertised; absent when it advertises none. */
  readonly advertisedEndpoint?: string;
  /** Every member's endpoint and partitions from the last assignment. */
  members(): readonly MemberEndpoint[];
  /** Task count (= partitions of its input topics) of a sub-topology, once started. */
  taskCount(subTopologyId: number): number | undefined;
  /** The key serde records of `topic` are read with. */
  keySerde(topic: string): Serde<unknown> | undefined;
  localTask(taskId: string): LocalTaskView;
  /** A standby copy of the task here (standby-tasks.ts), when there is one and its stores are open. */
  standbyTask?(taskId: string): StandbyTaskView | undefined;
  globalStores(): GlobalStores | undefined;
}
