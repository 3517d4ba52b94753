import { RecordError } from '../core/errors';
import type { StreamRecord } from '../core/stream-record';
import { defineOperator } from './operator-spec';
import { batchOperator } from './batch-operator';
import { derive } from './internal/emit';
import { optionalAccessor } from './internal/field-path';
import { routeLate } from './internal/late-records';
import { lateToOption } from './internal/common-options';
import { loadStreamTime, saveStreamTime, startStreamTime } from './internal/stream-clock';
import { passesRecordsOn } from './internal/output-types';

/**
 * Sets each record's event time from its content and enforces a watermark:
 * the watermark is the highest event time seen minus `maxOutOfOrder`, and a
 * record older than the watermark is late (side output `lateTo` or the DLQ,
 * counted as late_records) instead of reaching the windows after it. The
 * highest time seen is kept in `store`, so the watermark holds across
 * restarts. Timestamps may be epoch milliseconds (number or integer string)
 * or ISO-8601 text.
 *
 * ```
 * timestamp: value.ts, maxOutOfOrder: 5
 * {ts:10} ─ {ts:7} ─ {ts:3} ─ {ts:12} ──|
 * @10 ───── @7 ────────────── @12 ──|       ({ts:3} late: 3 < 10 - 5)
 * ```
 */
export const eventTime = defineOperator({
  name: 'event-time',
  summary: 'Take event time from the record and send records older than the watermark (max seen - bound) to a late output.',
  example: [
    '- id: event-time',
    '  event-time:',
    '    timestamp: value.eventTime',
    '    maxOutOfOrder: 30s',
    '    store: engagement-watermark',
    '    lateTo: late-engagements',
  ].join('\n'),
  output: passesRecordsOn,
  options: {
    timestamp: { kind: 'expression', description: 'Event time of the record (epoch ms or ISO-8601); default: keep the record timestamp.' },
    maxOutOfOrder: { kind: 'duration', description: 'Out-of-orderness bound; absent: no lateness check here (windows still apply their grace).' },
    store: { kind: 'store', description: 'Keeps the highest event time seen (required with maxOutOfOrder).' },
    lateTo: lateToOption,
  },
  check(options) {
    return options.maxOutOfOrder !== undefined && options.store === undefined ? [{ path: ['store'], message: 'maxOutOfOrder needs a store to keep the watermark across restarts' }] : [];
  },
  create(options, context) {
    const bound = options.maxOutOfOrder;
    // check() refused maxOutOfOrder without a store, so a bound always has one.
    const store = bound === undefined || options.store === undefined ? undefined : context.keyValueStore<string, unknown>(options.store);
    const read = optionalAccessor(options.timestamp, 'timestamp', (r) => r.timestamp, context.stepId);
    const lateTo = options.lateTo;
    return batchOperator(async (records) => {
      const initial = store ? await loadStreamTime(store) : -Infinity;
      let max = startStreamTime(initial, context);
      const out: StreamRecord[] = [];
      for (const record of records) {
        let t: number;
        try {
          t = toEpochMs(read(record), record, context.stepId);
        } catch (error) {
          context.recordFailed(record, error);
          continue;
        }
        const stamped = t === record.timestamp ? record : derive(record, record.value, { timestamp: t });
        if (bound !== undefined && t < max - bound) {
          routeLate(context, lateTo, stamped, `event time ${t} is before the watermark ${max - bound}`);
          continue;
        }
        max = Math.max(max, t);
        out.push(stamped);
      }
      if (store) saveStreamTime(store, initial, max);
      return out;
    });
  },
});

function toEpochMs(raw: unknown, record: StreamRecord, stepId: string): number {
  let t: number = NaN;
  if (typeof raw === 'number') t = raw;
  else if (typeof raw === 'bigint') t = Number(raw);
  else if (typeof raw === 'string') t = /^-?\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  else if (raw instanceof Date) t = raw.getTime();
  if (!Number.isFinite(t)) throw new RecordError(`event time is not epoch ms or ISO-8601: ${JSON.stringify(raw) ?? String(raw)}`, { ...record.source, stepId });
  return Math.trunc(t);
}
