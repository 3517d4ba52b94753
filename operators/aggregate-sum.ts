import type { OperatorSpec } from './operator-spec';
import { fieldOption, rollingAggregate } from './internal/rolling-aggregate';

/**
 * Running sum of a numeric field per key; a non-numeric value goes to the error policy.
 *
 * ```
 * field: value.n
 * u:{n:2} ─ u:{n:3} ──|
 * u:2 ───── u:5 ──|
 * ```
 */
export const aggregateSum: OperatorSpec = rollingAggregate('aggregate-sum', {
  fn: 'sum',
  summary: 'Per-key running sum of a numeric field.',
  example: ['- id: aggregate-sum-example', '  aggregate-sum:', '    store: aggregate-sum-store', '    field: value.amount'].join('\n'),
  options: { field: fieldOption('The number to add.') },
});
