import type { OperatorSpec } from './operator-spec';
import { rollingAggregate } from './internal/rolling-aggregate';

/**
 * Running count of records per key; every record emits the new count. The store holds the count by key (a table other steps can read).
 *
 * ```
 * u ─ v ─ u ──|
 * u:1 ─ v:1 ─ u:2 ──|
 * ```
 */
export const aggregateCount: OperatorSpec = rollingAggregate('aggregate-count', {
  fn: 'count',
  summary: 'Per-key running count of records.',
  example: ['- id: aggregate-count-example', '  aggregate-count:', '    store: aggregate-count-store'].join('\n'),
  options: {},
});
