import type { ExpressionOption, OperatorSpec, OptionSpec, OptionSpecs } from '../operator-spec';
import { makeAggregator, type AggregateFunction } from './aggregators';
import { intoOption, storeOption } from './common-options';
import { tableAggregate } from './table-aggregate';
import { rollingAggregateOutput } from './output-types';

/** What differs between the rolling aggregate operators. */
export interface RollingAggregateDefinition {
  readonly fn: AggregateFunction;
  readonly summary: string;
  readonly example: string;
  /** Options besides store and into: some of field, module and precision (what {@link makeAggregator} reads). */
  readonly options: OptionSpecs;
}

/**
 * A rolling aggregate's options as validate resolved them: store and into, and those of field
 * (an expression), module and precision (an integer) it declares; the others read as undefined.
 */
type RollingAggregateOptions = {
  readonly store: string;
  readonly into?: string;
  readonly field?: ExpressionOption;
  readonly module?: string;
  readonly precision?: number;
};

/** The `field` option of rolling aggregates. */
export const fieldOption = (what: string) => ({
  kind: 'expression', description: `${what} Default: the record value.`,
}) as const satisfies OptionSpec;

/**
 * A rolling (unwindowed) per-key aggregate: the accumulator lives in the
 * store as a table (record key -> accumulator) and every record emits the
 * key's new result. Windowed versions are the `window-*` operators with an
 * `aggregate` option; both share the aggregators.
 */
export function rollingAggregate(name: string, def: RollingAggregateDefinition): OperatorSpec {
  return {
    name,
    summary: def.summary,
    example: def.example,
    stateful: true,
    output: rollingAggregateOutput(def.fn, name),
    options: { store: storeOption('the accumulators, keyed by record key'), ...def.options, into: intoOption },
    create(options: RollingAggregateOptions, context) {
      const agg = makeAggregator({ fn: def.fn, field: options.field, module: options.module, precision: options.precision }, context.stepId);
      return tableAggregate<unknown>(context, options.store, options.into, (state, record) => {
        const acc = agg.add(state === undefined ? agg.init() : state, record);
        return { state: acc, result: agg.result(acc) };
      });
    },
  };
}
