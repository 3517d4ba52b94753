import type { OperatorSpec } from './operator-spec';
import { fieldOption, rollingAggregate } from './internal/rolling-aggregate';

/**
 * Running maximum of a numeric field per key.
 *
 * ```
 * u:5 ─ u:3 ─ u:7 ──|
 * u:5 ─ u:5 ─ u:7 ──|
 * ```
 */
export const aggregateMax: OperatorSpec = rollingAggregate('aggregate-max', {
  fn: 'max',
  summary: 'Per-key running maximum of a numeric field.',
  example: ['- id: aggregate-max-example', '  aggregate-max:', '    store: aggregate-max-store', '    field: value.dwellMs'].join('\n'),
  options: { field: fieldOption('The number to compare.') },
});
