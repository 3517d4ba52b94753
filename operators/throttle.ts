import { defineOperator } from './operator-spec';
import { storeOption, timeOption } from './internal/common-options';
import { keyedTimerOperator } from './internal/keyed-timer-operator';
import { loadRecord, storeRecord, type StoredRecord } from './internal/record-codec';
import { passesRecordsOn } from './internal/output-types';

interface ThrottleState {
  /** End of the current interval. */
  readonly until: number;
  /** The latest record held back during the interval. */
  readonly pending?: StoredRecord;
}

/**
 * Per key, at most one record per interval: the first record of a key passes
 * at once and opens an interval; later ones in the interval are held (the
 * latest wins) and the held one is emitted when the interval ends, which opens
 * the next interval. So a burst yields its first and its last record, and no
 * two outputs of a key are closer than `interval`.
 *
 * ```
 * interval: 10 (event time), all key u
 * a@0 ─ b@3 ─ c@6 ───────── d@25 ─ e@27 ──|
 * a@0 ──────────── c (at 10) ─ d@25 ──── e (at 35)
 * ```
 */
export const throttle = defineOperator({
  name: 'throttle',
  summary: 'Per key, emit at most one record per interval, with a final emit of the latest held record when the interval ends.',
  stateful: true,
  example: [
    '- id: limit-updates',
    '  throttle:',
    '    store: update-throttle',
    '    interval: 30s',
  ].join('\n'),
  output: passesRecordsOn,
  options: {
    store: storeOption('interval ends and held records'),
    interval: { kind: 'duration', required: true, positive: true, description: 'Minimum time between two outputs of one key.' },
    time: timeOption,
  },
  create(options, context) {
    const interval = options.interval;
    return keyedTimerOperator<ThrottleState>(context, options.store, options.time, {
      nextTimer: (state) => state.until,
      advance: (state, now) => {
        if (state.until > now) return { state, out: [] };
        if (!state.pending) return { state: undefined, out: [] };
        // The trailing emit opens a new interval from the moment it was due.
        const next: ThrottleState = { until: state.until + interval };
        return next.until <= now ? { state: undefined, out: [loadRecord(state.pending)] } : { state: next, out: [loadRecord(state.pending)] };
      },
      apply: (state, record, now) => {
        if (state === undefined) return { state: { until: now + interval }, out: [record] };
        return { state: { until: state.until, pending: storeRecord(record) }, out: [] };
      },
    }, interval / 2);
  },
});
