import { defineOperator } from './operator-spec';
import { aggregateOption } from './internal/aggregators';
import { emitOption, graceOption, lateToOption, storeOption } from './internal/common-options';
import { fixedWindows } from './internal/window-fixed';
import { windowOutput } from './internal/output-types';

/**
 * Fixed-size windows [start, start + size) that start every `advance` (they
 * overlap when advance < size), aggregated per key; each record counts in
 * size / advance windows. Results keyed by `{key, window: {start, end}}`.
 *
 * ```
 * size: 10, advance: 5, aggregate: count, emit: update (all key u)
 * a@7 ─────────────────────── b@12 ──|
 * {[0,10)}:1 {[5,15)}:1 ───── {[5,15)}:2 {[10,20)}:1
 * ```
 */
export const windowHopping = defineOperator({
  name: 'window-hopping',
  summary: 'Hopping (overlapping) event-time windows with an aggregate per key and window.',
  stateful: true,
  changesKey: true,
  example: [
    '- id: saves-last-hour',
    '  window-hopping:',
    '    store: saves-hourly',
    '    size: 1h',
    '    advance: 5m',
    '    aggregate: { fn: sum, field: value.weight }',
    '    emit: update',
  ].join('\n'),
  output: windowOutput,
  options: {
    store: storeOption('open windows and their timers'),
    size: { kind: 'duration', required: true, positive: true, description: 'Window length.' },
    advance: { kind: 'duration', required: true, positive: true, description: 'Distance between window starts (at most size).' },
    grace: graceOption,
    emit: emitOption,
    aggregate: aggregateOption,
    lateTo: lateToOption,
  },
  check(options) {
    return options.advance > options.size ? [{ path: ['advance'], message: 'advance must not exceed size' }] : [];
  },
  create(options, context) {
    return fixedWindows(options, context, options.size, options.advance);
  },
});
