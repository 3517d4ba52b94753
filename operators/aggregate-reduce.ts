import type { OperatorSpec } from './operator-spec';
import { fieldOption, rollingAggregate } from './internal/rolling-aggregate';

/**
 * Combines each value with the key's previous result using reduce(previous, value) exported by a module (the first value is kept as is).
 *
 * ```
 * module: ./longest.js (keeps the longer string)
 * u:ab ─ u:c ─ u:def ──|
 * u:ab ─ u:ab ─ u:def ──|
 * ```
 */
export const aggregateReduce: OperatorSpec = rollingAggregate('aggregate-reduce', {
  fn: 'reduce',
  summary: 'Per-key running reduce of values with a function from a module.',
  example: ['- id: aggregate-reduce-example', '  aggregate-reduce:', '    store: aggregate-reduce-store', '    module: ./reducers/longest.js'].join('\n'),
  options: { field: fieldOption('The value to combine.'), module: { kind: 'module', required: true, description: 'Exports reduce(a, b) (or a default function).' } },
});
