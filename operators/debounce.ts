import { defineOperator } from './operator-spec';
import { storeOption, timeOption } from './internal/common-options';
import { keyedTimerOperator } from './internal/keyed-timer-operator';
import { loadRecord, storeRecord, type StoredRecord } from './internal/record-codec';
import { passesRecordsOn } from './internal/output-types';

interface DebounceState {
  readonly due: number;
  readonly pending: StoredRecord;
}

/**
 * Per key, holds the latest record until the key has been quiet for
 * `interval`, then emits it (e.g. re-score a user's candidates once a burst of
 * engagements settles). Each record restarts the key's interval. The pending
 * record lives in the store with a timer, so it is emitted after a restart and
 * when the key goes quiet (other keys' records or punctuation move the clock).
 *
 * ```
 * interval: 10 (event time)
 * a@0 ─ b@5 ──────── c@30 ──|      (keys all u)
 * ────────── b@5 (at 15) ──── c@30 (at 40)
 * ```
 */
export const debounce = defineOperator({
  name: 'debounce',
  summary: 'Per key, emit the latest record once the key has been quiet for an interval.',
  stateful: true,
  example: [
    '- id: settle',
    '  debounce:',
    '    store: rescore-debounce',
    '    interval: 2s',
    '    time: wall',
  ].join('\n'),
  output: passesRecordsOn,
  options: {
    store: storeOption('pending records and their timers'),
    interval: { kind: 'duration', required: true, positive: true, description: 'Quiet time after the last record of a key before it is emitted.' },
    time: timeOption,
  },
  create(options, context) {
    const interval = options.interval;
    return keyedTimerOperator<DebounceState>(context, options.store, options.time, {
      nextTimer: (state) => state.due,
      advance: (state, now) => (state.due <= now ? { state: undefined, out: [loadRecord(state.pending)] } : { state, out: [] }),
      apply: (state, record, now) => {
        const keepOlder = state !== undefined && state.pending.t > record.timestamp && options.time === 'event';
        return { state: { due: now + interval, pending: keepOlder ? state.pending : storeRecord(record) }, out: [] };
      },
    }, interval / 2);
  },
});
