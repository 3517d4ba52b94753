import type { OutputDeclaration, OutputTypeContext, RecordTypes } from '../value-type';
import type { ResolvedOptions } from '../operator-spec';
import { DYN, recordOf, scalar, withField, type StaticType } from './cel-static-type';
import type { AggregateFunction } from './aggregators';

/** Output types shared by the built-in operators (see OperatorSpec.output). */

/** Steps that emit the records they receive (some of them, later, or once): key and value unchanged. */
export const passesRecordsOn: OutputDeclaration = { key: 'input', value: 'input' };

const DOUBLE = scalar('double', "an aggregate's result is a number, which expressions see as a double");

/** A list of a type. */
export const listOf = (element: StaticType): StaticType => ({ kind: 'list', element });

/** A result placed as the value, or under `into` in a copy of the input value (emit.ts `placeResult`). */
export function placed(context: OutputTypeContext<ResolvedOptions>, result: StaticType, step: string): RecordTypes {
  const into = context.options.into;
  const value = typeof into === 'string' ? withField(context.input.value, into, result, `the output of ${step}`) : result;
  return { key: context.input.key, value };
}

/**
 * The result of an aggregate function over values of `field`'s type: counts
 * and numeric aggregates are numbers (doubles to the next expression), a
 * reduce keeps the values' type, a module's aggregate is not known.
 */
export function aggregateResultType(fn: AggregateFunction, field: StaticType): { type: StaticType; note?: string } {
  switch (fn) {
    case 'count': case 'sum': case 'min': case 'max': case 'average': case 'distinct-count': return { type: DOUBLE };
    case 'reduce': return { type: field };
    case 'aggregate': return { type: DYN, note: "the result of the aggregate module's result() is not declared" };
  }
}

/** A rolling aggregate's output: the result, as the value or under `into`. */
export function rollingAggregateOutput(fn: AggregateFunction, name: string) {
  return (context: OutputTypeContext<ResolvedOptions>): RecordTypes => {
    const field = context.options.field === undefined ? context.input.value : context.expressionType('field');
    const result = aggregateResultType(fn, field);
    return { ...placed(context, result.type, `${name}`), ...(result.note ? { note: result.note } : {}) };
  };
}

/** The key of a window result (window-result.ts): the record key and the window's bounds. */
export function windowedKey(key: StaticType): StaticType {
  return recordOf('windowed key', [['key', key], ['window', recordOf('window', [['start', DOUBLE], ['end', DOUBLE]], 'the window bounds')]], 'the windowed key');
}

/** A window step's output: the windowed key and the aggregate's result. */
export function windowOutput(context: OutputTypeContext<{ readonly aggregate: { readonly fn: AggregateFunction; readonly field?: unknown } }>): RecordTypes {
  // Also asked for steps whose options validate refused (their output is then dyn).
  const aggregate: { readonly fn?: AggregateFunction; readonly field?: unknown } = context.options.aggregate ?? {};
  const field = aggregate.field === undefined ? context.input.value : context.expressionType('aggregate.field');
  const result = aggregate.fn ? aggregateResultType(aggregate.fn, field) : { type: DYN };
  return { key: windowedKey(context.input.key), value: result.type, ...(result.note ? { note: result.note } : {}) };
}

/** A join of two inputs: `{left, right}` with each side's value type. */
export function joinedSides(context: OutputTypeContext<ResolvedOptions>, step: string): RecordTypes {
  const { left, right } = context.sides;
  const note = left.kind === 'dyn' || right.kind === 'dyn' ? 'a side of the join has no known type (json, or inputs the checker cannot tell apart)' : undefined;
  return { key: context.input.key, value: recordOf('join', [['left', left], ['right', right]], `the output of ${step}`), ...(note ? { note } : {}) };
}
