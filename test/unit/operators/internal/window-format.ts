import type { StreamRecord } from '../../../../core/stream-record';

/** `key[start,end]:value` for window results. */
export function windows(records: StreamRecord[]): string[] {
  return records.map((r) => {
    const k = r.key as { key: string; window: { start: number; end: number } };
    return `${k.key}[${k.window.start},${k.window.end}]:${JSON.stringify(r.value)}`;
  });
}
