import { RecordError } from '../../core/errors';
import type { RecordHeaders, StreamRecord } from '../../core/stream-record';

/** The key of a window result: the record key and the window's bounds. */
export interface WindowedKey {
  readonly key: unknown;
  readonly window: { readonly start: number; readonly end: number };
}

/** A window's result record; `from` is the input that caused it (absent when a timer closed the window). */
export function windowResult(key: unknown, start: number, end: number, value: unknown, timestamp: number, from?: StreamRecord): StreamRecord {
  const windowed: WindowedKey = { key, window: { start, end } };
  const headers: RecordHeaders = from?.headers ?? {};
  return { key: windowed, value, timestamp, headers, ...(from?.source ? { source: from.source } : {}) };
}

/** Windows are aligned to the epoch in non-negative milliseconds. */
export function checkTimestamp(record: StreamRecord, stepId: string): number {
  const t = record.timestamp;
  if (!Number.isFinite(t) || t < 0) throw new RecordError(`record timestamp ${t} is not a non-negative epoch time`, { ...record.source, stepId });
  return t;
}
