import { ConfigError } from '../core/errors';
import type { StreamRecord } from '../core/stream-record';
import { defineOperator } from './operator-spec';
import { aggregateOption, makeAggregator } from './internal/aggregators';
import { emitOption, graceOption, lateToOption, storeOption } from './internal/common-options';
import { keyedTimerOperator } from './internal/keyed-timer-operator';
import { routeLate } from './internal/late-records';
import { checkTimestamp, windowResult } from './internal/window-result';
import { windowOutput } from './internal/output-types';

interface SlidingState {
  /** Per-record accumulators with their event time, oldest first. */
  readonly ev: Array<{ t: number; a: unknown }>;
  /** Window ends (record times) whose final result is not emitted yet (emit: final). */
  readonly pend: number[];
}

/**
 * Sliding windows over event time: each record defines the window
 * [t - size, t] (both ends inclusive) ending at it, which aggregates every
 * record of the key in that span — "the last `size` before each event". An
 * out-of-order record also updates the later windows that contain it. With
 * `emit: final` a window's result is emitted once stream time passes its end
 * plus grace. A record older than stream time - grace is late. Results keyed
 * `{key, window: {start, end}}`. Records are kept per key for `size + grace`.
 *
 * ```
 * size: 10, aggregate: count, emit: update (all key u)
 * a@0 ───── b@8 ───── c@15 ──|
 * [-10,0]:1 [-2,8]:2  [5,15]:2
 * ```
 */
export const windowSliding = defineOperator({
  name: 'window-sliding',
  summary: 'Sliding event-time windows: per record, the aggregate over the key\'s records in the preceding span.',
  stateful: true,
  changesKey: true,
  example: [
    '- id: clicks-last-10m',
    '  window-sliding:',
    '    store: clicks-sliding',
    '    size: 10m',
    '    aggregate: { fn: count }',
    '    emit: update',
  ].join('\n'),
  output: windowOutput,
  options: {
    store: storeOption('recent records per key and their timers'),
    size: { kind: 'duration', required: true, positive: true, description: 'Length of the span before each record.' },
    grace: graceOption,
    emit: emitOption,
    aggregate: aggregateOption,
    lateTo: lateToOption,
  },
  create(options, context) {
    const size = options.size;
    const grace = options.grace;
    const agg = makeAggregator(options.aggregate, context.stepId);
    if (!agg.merge) throw new ConfigError(`step ${context.stepId}: sliding windows combine per-record accumulators; the aggregate module must export merge(a, b)`);
    const merge = agg.merge;
    const final = options.emit === 'final';
    const lateTo = options.lateTo;
    const windowAt = (ev: SlidingState['ev'], end: number) =>
      ev.filter((e) => e.t >= end - size && e.t <= end).reduce((acc, e) => merge(acc, e.a), agg.init());
    const result = (key: unknown, ev: SlidingState['ev'], end: number, from?: StreamRecord) =>
      windowResult(key, end - size, end, agg.result(windowAt(ev, end)), end, from);
    return keyedTimerOperator<SlidingState>(context, options.store, 'event', {
      nextTimer: (state) => Math.min(...state.pend.map((e) => e + grace + 1), ...state.ev.map((e) => e.t + size + grace + 1)),
      advance: (state, now, key) => {
        const due = state.pend.filter((e) => e + grace < now);
        const pend = state.pend.filter((e) => e + grace >= now);
        const out = due.map((end) => result(key, state.ev, end));
        const keepFrom = Math.min(now - grace, ...pend) - size;
        const ev = state.ev.filter((e) => e.t >= keepFrom);
        return { state: ev.length || pend.length ? { ev, pend } : undefined, out };
      },
      apply: (state, record, now) => {
        const t = checkTimestamp(record, context.stepId);
        if (t < now - grace) {
          routeLate(context, lateTo, record, `older than stream time ${now} minus grace`);
          return { state, out: [] };
        }
        const ev = [...(state?.ev ?? []), { t, a: agg.add(agg.init(), record) }].sort((a, b) => a.t - b.t);
        const ends = [...new Set(ev.map((e) => e.t).filter((e) => e >= t && e <= t + size))];
        if (final) return { state: { ev, pend: [...new Set([...(state?.pend ?? []), ...ends])].sort((a, b) => a - b) }, out: [] };
        return { state: { ev, pend: [] }, out: ends.map((end) => result(record.key, ev, end, record)) };
      },
    });
  },
});
