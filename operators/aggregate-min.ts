import type { OperatorSpec } from './operator-spec';
import { fieldOption, rollingAggregate } from './internal/rolling-aggregate';

/**
 * Running minimum of a numeric field per key.
 *
 * ```
 * u:5 ─ u:3 ─ u:4 ──|
 * u:5 ─ u:3 ─ u:3 ──|
 * ```
 */
export const aggregateMin: OperatorSpec = rollingAggregate('aggregate-min', {
  fn: 'min',
  summary: 'Per-key running minimum of a numeric field.',
  example: ['- id: aggregate-min-example', '  aggregate-min:', '    store: aggregate-min-store', '    field: value.price'].join('\n'),
  options: { field: fieldOption('The number to compare.') },
});
