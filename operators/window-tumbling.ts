import { defineOperator } from './operator-spec';
import { aggregateOption } from './internal/aggregators';
import { emitOption, graceOption, lateToOption, storeOption } from './internal/common-options';
import { fixedWindows } from './internal/window-fixed';
import { windowOutput } from './internal/output-types';

/**
 * Fixed-size, non-overlapping windows [start, start + size) over event time,
 * aggregated per key. Results are keyed by `{key, window: {start, end}}`
 * (end exclusive). `emit: final` emits one result per window once stream time
 * reaches end + grace; `emit: update` emits on every record. Records for
 * closed windows are late (side output `lateTo` or the DLQ, counted).
 *
 * ```
 * size: 10, aggregate: count, emit: final (all key u)
 * a@1 ─ b@9 ─ c@10 ─ d@3 ─ e@20 ──|
 * ──────────────────────── {u,[0,10)}:2 ─ {u,[10,20)}:1 (d late)
 * ```
 */
export const windowTumbling = defineOperator({
  name: 'window-tumbling',
  summary: 'Tumbling event-time windows with an aggregate per key and window; emit on close or on every update.',
  stateful: true,
  changesKey: true,
  example: [
    '- id: clicks-per-minute',
    '  window-tumbling:',
    '    store: clicks-per-minute',
    '    size: 1m',
    '    grace: 10s',
    '    aggregate: { fn: count }',
    '    emit: final',
    '    lateTo: late-clicks',
  ].join('\n'),
  output: windowOutput,
  options: {
    store: storeOption('open windows and their timers'),
    size: { kind: 'duration', required: true, positive: true, description: 'Window length.' },
    grace: graceOption,
    emit: emitOption,
    aggregate: aggregateOption,
    lateTo: lateToOption,
  },
  create(options, context) {
    return fixedWindows(options, context, options.size, options.size);
  },
});
