import type { OperatorSpec } from './operator-spec';
import { fieldOption, rollingAggregate } from './internal/rolling-aggregate';

/**
 * A custom per-key aggregate: a module exports init(), add(acc, value, record), and optionally merge(a, b) and result(acc); the accumulator must be JSON-able (it lives in a store).
 *
 * ```
 * module: ./histogram.js
 * u:a ─ u:b ─ u:a ──|
 * u:{a:1} ─ u:{a:1,b:1} ─ u:{a:2,b:1} ──|
 * ```
 */
export const aggregateCustom: OperatorSpec = rollingAggregate('aggregate', {
  fn: 'aggregate',
  summary: 'Per-key running aggregate with init/add/result from a module.',
  example: ['- id: aggregate-example', '  aggregate:', '    store: aggregate-store', '    module: ./aggregates/histogram.js'].join('\n'),
  options: { field: fieldOption('The value handed to add().'), module: { kind: 'module', required: true, description: 'Exports init(), add(acc, value, record), optional merge(a, b) and result(acc).' } },
});
