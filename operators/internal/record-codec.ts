import type { RecordHeaders, StreamRecord } from '../../core/stream-record';

/** A record as plain JSON-able data, for operators that hold records in a store (debounce, joins). */
export interface StoredRecord {
  readonly k: unknown;
  readonly v: unknown;
  readonly t: number;
  readonly h: Record<string, string | { b64: string }>;
  readonly s?: StreamRecord['source'];
}

/** A record as JSON-able data (headers as text or base64). */
export function storeRecord(record: StreamRecord): StoredRecord {
  const h: Record<string, string | { b64: string }> = {};
  for (const [name, value] of Object.entries(record.headers)) {
    if (value === undefined) continue;
    h[name] = typeof value === 'string' ? value : { b64: value.toString('base64') };
  }
  return { k: record.key, v: record.value, t: record.timestamp, h, ...(record.source ? { s: record.source } : {}) };
}

/** Inverse of {@link storeRecord}. */
export function loadRecord(stored: StoredRecord): StreamRecord {
  const headers: RecordHeaders = {};
  for (const [name, value] of Object.entries(stored.h)) {
    headers[name] = typeof value === 'string' ? value : Buffer.from(value.b64, 'base64');
  }
  return { key: stored.k, value: stored.v, timestamp: stored.t, headers, ...(stored.s ? { source: stored.s } : {}) };
}
