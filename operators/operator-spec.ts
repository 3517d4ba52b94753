import type { OperatorFunction } from 'rxjs';
import type { StreamRecord } from '../core/stream-record';
import type { KeyValueStore } from '../core/key-value-store';
import type { ScoringService } from '../core/scoring/scoring-service';
import type { OutputDeclaration, OutputTypeContext, RecordTypes } from './value-type';

/**
 * The declared options of an operator: one spec drives validation (with
 * positions), `tributary docs` and `describe`. Kinds that name other
 * topology entities (store, sink, pipeline) are checked as references.
 */
export type OptionKind =
  | 'string' | 'number' | 'integer' | 'boolean'
  | 'expression' // a CEL expression over `key`, `value`, `timestamp`, `headers`
  | 'duration'   // '500ms', '10s', '5m', '1h', '7d', '1h30m' (a unit is required; only 0 may go without); options get milliseconds
  | 'store' | 'sink' | 'pipeline'
  | 'module'     // a path, relative to the topology file, of a JS/TS module
  | 'list' | 'object' | 'any';

export interface OptionSpec {
  readonly kind: OptionKind;
  readonly description: string;
  readonly required?: boolean;
  readonly default?: unknown;
  /** Allowed values for a string option. */
  readonly oneOf?: readonly string[];
  /** A duration or number that must be above zero (a window size, an interval): 0 is refused at validate. */
  readonly positive?: boolean;
  /** Element spec of a list option. */
  readonly items?: OptionSpec;
  /** Field specs of an object option (unknown fields are reported). */
  readonly fields?: Readonly<Record<string, OptionSpec>>;
  /**
   * Store options: whether the step only reads the store (`read`, e.g. a
   * join's table), may write it (`read-write`, the default: the store is this
   * step's alone), or writes it together with other steps whose options are
   * `shared` too (custom operators that agree on one key layout; no built-in
   * does). Only stores read through a `read` option may be global stores
   * (they are read-only).
   */
  readonly access?: StoreAccess;
  /**
   * Expression options: what the result must be. `bool` (a filter, a branch
   * condition) is checked at validate against the value's type.
   */
  readonly returns?: 'bool';
}

/** What a step does with a store it names; see {@link OptionSpec.access}. */
export type StoreAccess = 'read' | 'read-write' | 'shared';

/** A problem an operator's own `check` finds beyond kinds and references. */
export interface OptionProblem {
  /** Option path relative to the step's options, e.g. ['halfLives', 1]. */
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
}

/** What a step's operator can use while it runs inside one task. */
export interface OperatorContext {
  readonly stepId: string;
  readonly taskId: string;
  keyValueStore<K = unknown, V = unknown>(name: string): KeyValueStore<K, V>;
  readonly scoring?: ScoringService;
  /** Highest event time seen by this task so far (ms), or -Infinity before the first record. */
  streamTime(): number;
  /**
   * A stream time imposed from outside (ms): the test driver's
   * `advanceStreamTime`/`flush` at end of input. Event-time steps (windows,
   * joins, debounce, event-time) take the larger of it and their own stream
   * time, and keep it, so open windows close without a later record. Absent or
   * -Infinity at run time, where only records move stream time.
   */
  advancedStreamTime?(): number;
  /** Wall-clock time (ms); the test driver controls it. */
  wallClock(): number;
  /** Hand a record this step could not process to the step's error policy (DLQ by default). */
  recordFailed(record: StreamRecord, error: unknown): void;
  /** Emit to a named side output (a sink), e.g. late records. */
  sideOutput(target: string, record: StreamRecord): void;
  /**
   * Wall-clock punctuation: asks the executor to push an empty batch through
   * the task's pipeline at least every `intervalMs` while no records arrive.
   * Stateful operators fire their due timers (window close, debounce end) on
   * every batch, empty ones included, so this is all a quiet task needs.
   * Stream-time timers need nothing extra: stream time only moves with batches.
   * Optional so that contexts which never idle (tests) may leave it out.
   */
  requestPunctuation?(intervalMs: number): void;
  /** Adds to a per-step counter the runtime exports (e.g. `late_records`, `duplicates_dropped`). */
  count?(counter: string, amount?: number): void;
}

/** Resolved options: kinds applied, defaults filled, durations in milliseconds. */
export type ResolvedOptions = Readonly<Record<string, unknown>>;

export interface OperatorSpec<O extends ResolvedOptions = ResolvedOptions> {
  readonly name: string;
  /** One line for `tributary docs` and `describe`. */
  readonly summary: string;
  /** A YAML snippet of one step using this operator. */
  readonly example: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Reads or writes a store keyed by the record key (a key change before it needs a repartition). */
  readonly stateful?: boolean;
  /** Changes the record key (marks a repartition when a stateful step follows). */
  readonly changesKey?: boolean;
  /**
   * The types of the records the step emits, so that `tributary validate`
   * checks the expressions of the steps after it (`value.count` after an
   * aggregate, `value.left.userId` after a join). Optional: without it the
   * value after the step is dyn (nothing after it is type-checked) and
   * `describe` says so. Custom operators usually declare it as data
   * ({@link OutputDeclaration}: `{ value: 'input' }` for a step that passes
   * values on, `{ value: <Avro schema> }` for one that emits new ones);
   * built-ins compute it from their options and input types.
   */
  readonly output?: OutputDeclaration | ((context: OutputTypeContext<O>) => RecordTypes);
  check?(options: O): OptionProblem[];
  create(options: O, context: OperatorContext): OperatorFunction<StreamRecord, StreamRecord>;
}
