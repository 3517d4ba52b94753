import { ConfigError } from '../../core/errors';
import type { StreamRecord } from '../../core/stream-record';
import { recordExpression } from '../record-expression';
import { compileFieldPath } from '../../core/field-path';

/** Reads one value out of a record. */
export type RecordAccessor = (record: StreamRecord) => unknown;


const SIMPLE_PATH = /^(key|value|timestamp|headers|source)(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/**
 * Compiles an 'expression' option into an accessor. A plain field path rooted
 * at a record field (`value.pinId`, `key`, `source.topic`) is read directly,
 * which costs a few property reads instead of a CEL evaluation (a missing
 * field reads as undefined); anything else is a CEL expression over key,
 * value, timestamp and headers; a function (an expression the topology layer
 * compiled already) is used as is.
 */
export function recordAccessor(expression: unknown, option: string, stepId = '?'): RecordAccessor {
  if (typeof expression === 'function') return expression as RecordAccessor;
  if (typeof expression !== 'string' || expression.trim() === '') {
    throw new ConfigError(`step ${stepId}: option '${option}' must be an expression such as value.pinId`);
  }
  const text = expression.trim();
  if (!SIMPLE_PATH.test(text)) return recordExpression(text, option, stepId);
  return compileFieldPath(text) as RecordAccessor;
}

/** Like {@link recordAccessor} but relative to an arbitrary object (an item of a list). */
export function itemAccessor(path: unknown, option: string): (item: unknown) => unknown {
  if (typeof path === 'function') return path as (item: unknown) => unknown;
  if (typeof path !== 'string' || path.trim() === '') throw new ConfigError(`option '${option}' must be a field path`);
  return compileFieldPath(path.trim());
}

/** An accessor when the option is set, otherwise a constant. */
export function optionalAccessor(expression: unknown, option: string, fallback: RecordAccessor, stepId = '?'): RecordAccessor {
  return expression === undefined ? fallback : recordAccessor(expression, option, stepId);
}
