import type { StreamRecord } from '../core/stream-record';
import { ConfigError } from '../core/errors';
import { compileExpression } from './cel-expression';

/** A compiled `expression` option: evaluates per record, throwing a RecordError when evaluation fails. */
export type RecordExpression = (record: StreamRecord) => unknown;

/**
 * Turns an `expression` option into a function: CEL text is compiled once
 * (the topology validated it already); a function is used as is.
 */
export function recordExpression(option: unknown, name: string, stepId: string): RecordExpression {
  if (typeof option === 'function') return option as RecordExpression;
  if (typeof option !== 'string') throw new ConfigError(`step ${stepId}: option '${name}' must be a CEL expression`);
  try {
    const compiled = compileExpression(option);
    return (record) => compiled.evaluate(record);
  } catch (err) {
    throw new ConfigError(`step ${stepId}: option '${name}' does not parse: ${(err as Error).message}`, undefined, { cause: err });
  }
}
