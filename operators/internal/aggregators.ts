import * as path from 'node:path';
import { requireUserModule } from '../../core/user-module';
import { ConfigError, RecordError } from '../../core/errors';
import type { StreamRecord } from '../../core/stream-record';
import type { OptionSpec } from '../operator-spec';
import { recordAccessor, type RecordAccessor } from './field-path';
import { HyperLogLog } from './hyperloglog';

/**
 * One aggregation, shared by the rolling `aggregate-*` operators and the
 * `window-*` operators (the idea of RxJS's shared scan internals). The
 * accumulator must be plain JSON-able data: it lives in a store. `merge`
 * combines two accumulators (session windows merge; sliding windows combine
 * per-record accumulators); it is absent only for module aggregates that do
 * not export one.
 */
export interface Aggregator<A = unknown> {
  init(): A;
  add(acc: A, record: StreamRecord): A;
  merge?(a: A, b: A): A;
  result(acc: A): unknown;
}

/** The functions a window's `aggregate` option can name. */
export const aggregateFunctions = ['count', 'sum', 'min', 'max', 'average', 'reduce', 'aggregate', 'distinct-count'] as const;
/** One of {@link aggregateFunctions}. */
export type AggregateFunction = typeof aggregateFunctions[number];

/** The `aggregate` option of window operators. */
export const aggregateOption = {
  kind: 'object',
  required: true,
  description: 'What to compute per window.',
  fields: {
    fn: { kind: 'string', required: true, oneOf: aggregateFunctions, description: 'The aggregation.' },
    field: { kind: 'expression', description: 'The value aggregated (a number for sum/min/max/average; any for reduce, aggregate and distinct-count). Default: the record value.' },
    module: { kind: 'module', description: "reduce: a module exporting reduce(a, b) (or a default function); aggregate: one exporting init(), add(acc, value, record), optional merge(a, b) and result(acc)." },
    precision: { kind: 'integer', default: 12, description: 'distinct-count: HyperLogLog precision p (2^p registers; relative error about 1.04/sqrt(2^p)).' },
  },
} as const satisfies OptionSpec;

/**
 * Settings of one aggregation, as resolved options give them (an `aggregate` option's value or a
 * rolling aggregate's options). `field` is an expression option; `module` is a module path, or
 * the module itself where a caller (a test, an embedding program) passes one in process.
 */
export interface AggregateSettings {
  readonly fn: AggregateFunction;
  readonly field?: unknown;
  readonly module?: unknown;
  readonly precision?: number;
}

/** Builds the aggregator for settings; throws ConfigError for bad settings. */
export function makeAggregator(settings: AggregateSettings, stepId: string): Aggregator {
  const field: RecordAccessor = settings.field === undefined ? (r) => r.value : recordAccessor(settings.field, 'field', stepId);
  const number = (record: StreamRecord): number => {
    const v = field(record);
    const n = typeof v === 'bigint' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n)) throw new RecordError(`aggregated value is not a finite number: ${JSON.stringify(v) ?? String(v)}`, { ...record.source, stepId });
    return n;
  };
  switch (settings.fn) {
    case 'count':
      return { init: () => 0, add: (a) => (a as number) + 1, merge: (a, b) => (a as number) + (b as number), result: (a) => a };
    case 'sum':
      return { init: () => 0, add: (a, r) => (a as number) + number(r), merge: (a, b) => (a as number) + (b as number), result: (a) => a };
    case 'min':
    case 'max': {
      const pick = settings.fn === 'min' ? Math.min : Math.max;
      const both = (a: unknown, b: unknown) => (a === null ? b : b === null ? a : pick(a as number, b as number));
      return { init: () => null, add: (a, r) => both(a, number(r)), merge: both, result: (a) => a };
    }
    case 'average': {
      type Avg = { sum: number; count: number };
      return {
        init: () => ({ sum: 0, count: 0 }),
        add: (a, r) => ({ sum: (a as Avg).sum + number(r), count: (a as Avg).count + 1 }),
        merge: (a, b) => ({ sum: (a as Avg).sum + (b as Avg).sum, count: (a as Avg).count + (b as Avg).count }),
        result: (a) => ((a as Avg).count === 0 ? null : (a as Avg).sum / (a as Avg).count),
      };
    }
    case 'distinct-count': {
      const p = settings.precision ?? 12;
      if (!Number.isInteger(p) || p < 4 || p > 16) throw new ConfigError(`step ${stepId}: precision must be an integer from 4 to 16`);
      const key = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v) ?? 'undefined');
      return {
        init: () => new HyperLogLog(p).serialize(),
        add: (a, r) => { const h = HyperLogLog.deserialize(a as string); h.add(key(field(r))); return h.serialize(); },
        merge: (a, b) => HyperLogLog.deserialize(a as string).merge(HyperLogLog.deserialize(b as string)).serialize(),
        result: (a) => HyperLogLog.deserialize(a as string).estimate(),
      };
    }
    case 'reduce': {
      const mod = loadModule(settings.module, stepId) as { reduce?: unknown; default?: unknown } | ((a: unknown, b: unknown) => unknown);
      const reduce = (typeof mod === 'function' ? mod : mod.reduce ?? mod.default) as ((a: unknown, b: unknown) => unknown) | undefined;
      if (typeof reduce !== 'function') throw new ConfigError(`step ${stepId}: the reduce module must export reduce(a, b) or a default function`);
      const none = { none: true };
      const isNone = (a: unknown) => typeof a === 'object' && a !== null && (a as { none?: boolean }).none === true && Object.keys(a).length === 1;
      const both = (a: unknown, b: unknown) => (isNone(a) ? b : isNone(b) ? a : reduce(a, b));
      return { init: () => none, add: (a, r) => both(a, field(r)), merge: both, result: (a) => (isNone(a) ? null : a) };
    }
    case 'aggregate': {
      const mod = loadModule(settings.module, stepId) as Partial<{ init: () => unknown; add: (acc: unknown, value: unknown, record: StreamRecord) => unknown; merge: (a: unknown, b: unknown) => unknown; result: (a: unknown) => unknown }>;
      if (typeof mod.init !== 'function' || typeof mod.add !== 'function') throw new ConfigError(`step ${stepId}: the aggregate module must export init() and add(acc, value, record)`);
      const { init, add, merge, result } = mod;
      return { init, add: (a, r) => add(a, field(r), r), ...(merge ? { merge } : {}), result: (a) => (result ? result(a) : a) };
    }
    default:
      throw new ConfigError(`step ${stepId}: unknown aggregate function '${String(settings.fn)}' (one of ${aggregateFunctions.join(', ')})`);
  }
}

/**
 * A 'module' option: an object already loaded (a test passing functions), or a path (the
 * topology layer makes it absolute against the topology file; a relative path left here
 * resolves against the working directory).
 */
function loadModule(module: unknown, stepId: string): unknown {
  if (module === undefined || module === null) throw new ConfigError(`step ${stepId}: this aggregation needs a module`);
  if (typeof module !== 'string') return module;
  try {
    return requireUserModule(path.resolve(module));
  } catch (err) {
    throw new ConfigError(`step ${stepId}: cannot load module ${module}: ${(err as Error).message}`, undefined, { cause: err });
  }
}
