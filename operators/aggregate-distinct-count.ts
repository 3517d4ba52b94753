import type { OperatorSpec } from './operator-spec';
import { fieldOption, rollingAggregate } from './internal/rolling-aggregate';

/**
 * Approximate number of distinct values per key with a HyperLogLog sketch: relative standard error about 1.04/sqrt(2^precision), 1.6% at the default precision 12 (4 KiB per key); small counts are exact in practice (linear counting).
 *
 * ```
 * field: value.pinId
 * u:a ─ u:b ─ u:a ──|
 * u:1 ─ u:2 ─ u:2 ──|
 * ```
 */
export const aggregateDistinctCount: OperatorSpec = rollingAggregate('aggregate-distinct-count', {
  fn: 'distinct-count',
  summary: 'Per-key approximate count of distinct values (HyperLogLog).',
  example: ['- id: aggregate-distinct-count-example', '  aggregate-distinct-count:', '    store: aggregate-distinct-count-store', '    field: value.pinId'].join('\n'),
  options: { field: fieldOption('The value whose distinct occurrences are counted.'), precision: { kind: 'integer', default: 12, description: 'HyperLogLog precision p: 2^p registers (4 to 16).' } },
});
