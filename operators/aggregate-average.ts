import type { OperatorSpec } from './operator-spec';
import { fieldOption, rollingAggregate } from './internal/rolling-aggregate';

/**
 * Running mean of a numeric field per key; the store keeps {sum, count}.
 *
 * ```
 * u:1 ─ u:3 ──|
 * u:1 ─ u:2 ──|
 * ```
 */
export const aggregateAverage: OperatorSpec = rollingAggregate('aggregate-average', {
  fn: 'average',
  summary: 'Per-key running mean of a numeric field.',
  example: ['- id: aggregate-average-example', '  aggregate-average:', '    store: aggregate-average-store', '    field: value.dwellMs'].join('\n'),
  options: { field: fieldOption('The number to average.') },
});
