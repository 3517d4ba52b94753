import type { OperatorFunction } from 'rxjs';
import type { StreamRecord } from '../core/stream-record';
import type { KeyValueStore } from '../core/key-value-store';
import type { ScoringService } from '../core/scoring/scoring-service';
import type { OutputDeclaration, OutputTypeContext, RecordTypes } from './value-type';
import type { RecordExpression } from './record-expression';

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

/** Resolved options: kinds applied, defaults filled, durations in milliseconds (any operator's, untyped). */
export type ResolvedOptions = Readonly<Record<string, unknown>>;

/** The option specs of an operator, by option name. */
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/**
 * An `expression` option as `create` gets it: compiled by the runtime (task-pipeline compiles
 * every expression option once), or the CEL text where a caller such as a unit test passes
 * options directly. `recordAccessor` (internal/field-path.ts) takes either.
 */
export type ExpressionOption = string | RecordExpression;

/**
 * The TypeScript type of one option's checked value, read from its spec: what the topology
 * checker (topology/internal/spec-checker.ts `checkNode`) returns for it. Strings with `oneOf`
 * are the union of their values; durations are milliseconds; `E` is what an expression is.
 */
export type OptionValue<S, E = ExpressionOption> =
  S extends { readonly kind: 'string'; readonly oneOf: ReadonlyArray<infer L> } ? L
    : S extends { readonly kind: 'string' | 'store' | 'sink' | 'pipeline' | 'module' } ? string
      : S extends { readonly kind: 'number' | 'integer' | 'duration' } ? number
        : S extends { readonly kind: 'boolean' } ? boolean
          : S extends { readonly kind: 'expression' } ? E
            : S extends { readonly kind: 'list'; readonly items: infer I } ? ReadonlyArray<OptionValue<I, E>>
              : S extends { readonly kind: 'list' } ? readonly unknown[]
                : S extends { readonly kind: 'object'; readonly fields: infer F extends OptionSpecs } ? OptionValues<F, E>
                  : S extends { readonly kind: 'object' } ? Readonly<Record<string, unknown>>
                    : unknown;

/** Whether a checked option always has a value: it is required (validate reports it missing) or has a default. */
type AlwaysSet<S> = S extends { readonly required: true } ? true : S extends { readonly default: NonNullable<unknown> } ? true : false;

/**
 * The options of a step as validate resolved them, typed from the operator's option specs:
 * required and defaulted options are present, the others optional. Validate checks every kind
 * and reference before any operator is created, so operators read these without casts or checks.
 */
export type OptionValues<S extends OptionSpecs, E = ExpressionOption> = {
  readonly [K in keyof S as AlwaysSet<S[K]> extends true ? K : never]: OptionValue<S[K], E>;
} & {
  readonly [K in keyof S as AlwaysSet<S[K]> extends true ? never : K]?: OptionValue<S[K], E>;
};

/** Options as `check` and `output` see them: checked, expressions still their CEL text. */
export type CheckedOptions<S extends OptionSpecs> = OptionValues<S, string>;

/**
 * An operator's output-type function. Written as a method's type so that it is bivariant in its
 * options, as `check` and `create` are: an operator with typed options is then an
 * `OperatorSpec` (the registry's and the resolver's type) without a cast.
 */
type OutputFunction<S extends OptionSpecs> = { typed(context: OutputTypeContext<CheckedOptions<S>>): RecordTypes }['typed'];

export interface OperatorSpec<S extends OptionSpecs = OptionSpecs> {
  readonly name: string;
  /** One line for `tributary docs` and `describe`. */
  readonly summary: string;
  /** A YAML snippet of one step using this operator. */
  readonly example: string;
  readonly options: S;
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
  readonly output?: OutputDeclaration | OutputFunction<S>;
  /** Checks beyond each option's kind (relations between options, value ranges); runs once, at validate. */
  check?(options: CheckedOptions<S>): OptionProblem[];
  create(options: OptionValues<S>, context: OperatorContext): OperatorFunction<StreamRecord, StreamRecord>;
}

/**
 * Declares an operator with its options typed from their specs: `create(options)` gets
 * `{ store: string; size: number; ... }` as validate resolved them, with no casts. Only a type
 * helper (it returns `spec`): a plain JavaScript module exporting `spec = { name, options,
 * create }` is an operator too, and its options are the same values at run time.
 */
export function defineOperator<const S extends OptionSpecs>(spec: OperatorSpec<S>): OperatorSpec<S> {
  return spec;
}
