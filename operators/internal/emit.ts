import type { StreamRecord } from '../../core/stream-record';

/** A record derived from `input` with a new value (and optionally key/timestamp); headers and source carry over. */
export function derive(input: StreamRecord, value: unknown, changes: { key?: unknown; timestamp?: number } = {}): StreamRecord {
  return {
    key: 'key' in changes ? changes.key : input.key,
    value,
    timestamp: changes.timestamp ?? input.timestamp,
    headers: input.headers,
    ...(input.source ? { source: input.source } : {}),
  };
}

/**
 * Places an operator's result: as the whole output value, or, when `into` is
 * set, as that field of a copy of the input value (so a feature update can
 * travel on with the event that caused it).
 */
export function placeResult(input: StreamRecord, result: unknown, into: string | undefined): StreamRecord {
  if (into === undefined) return derive(input, result);
  const base = input.value !== null && typeof input.value === 'object' && !Array.isArray(input.value) ? input.value : { value: input.value };
  return derive(input, { ...(base as object), [into]: result });
}
