import { ConfigError } from '../../runtime/errors';
import type { StreamRecord } from '../../runtime/stream-record';

/** Reads one value out of a record. */
export type RecordAccessor = (record: StreamRecord) => unknown;

const ROOTS = new Set(['key', 'value', 'timestamp', 'headers', 'source']);

/**
 * Compiles an 'expression' option into an accessor. Until the topology's CEL
 * helper resolves expressions for us, a dotted field path rooted at a record
 * field (`value.pinId`, `key`, `headers.trace`) is accepted; a function (an
 * expression already compiled by the topology layer) is used as is.
 */
export function recordAccessor(expression: unknown, option: string): RecordAccessor {
  if (typeof expression === 'function') return expression as RecordAccessor;
  if (typeof expression !== 'string' || expression.trim() === '') {
    throw new ConfigError(`option '${option}' must be a field path such as value.pinId`);
  }
  const parts = expression.trim().split('.');
  if (!ROOTS.has(parts[0]!)) {
    throw new ConfigError(`option '${option}': '${expression}' must start with one of ${[...ROOTS].join(', ')}`);
  }
  return (record) => {
    let current: unknown = record;
    for (const part of parts) {
      if (current === null || current === undefined) return undefined;
      current = (current as Record<string, unknown>)[part];
    }
    return current;
  };
}

/** Like {@link recordAccessor} but relative to an arbitrary object (an item of a list). */
export function itemAccessor(path: unknown, option: string): (item: unknown) => unknown {
  if (typeof path === 'function') return path as (item: unknown) => unknown;
  if (typeof path !== 'string' || path.trim() === '') throw new ConfigError(`option '${option}' must be a field path`);
  const parts = path.trim().split('.');
  return (item) => {
    let current: unknown = item;
    for (const part of parts) {
      if (current === null || current === undefined) return undefined;
      current = (current as Record<string, unknown>)[part];
    }
    return current;
  };
}

/** An accessor when the option is set, otherwise a constant. */
export function optionalAccessor(expression: unknown, option: string, fallback: RecordAccessor): RecordAccessor {
  return expression === undefined ? fallback : recordAccessor(expression, option);
}
