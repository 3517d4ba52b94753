import { RecordError } from '../core/errors';
import { defineOperator } from './operator-spec';
import { derive } from './internal/emit';
import { perRecord } from './internal/per-record';
import { recordExpression } from './record-expression';

/**
 * Computes a new value (and optionally a new event time) per record with CEL;
 * the key, headers and origin stay. To change the key use `select-key`, so
 * the compiler can see the key change and repartition.
 *
 * ```
 * value: '{"user": value.userId, "n": 1}'
 * a:{userId:u1} ─|
 * a:{user:u1,n:1} ─|
 * ```
 */
export const map = defineOperator({
  name: 'map',
  summary: 'Compute a new value (and optionally timestamp) per record with CEL.',
  example: ['- id: to-view', '  map:', "    value: '{\"user\": value.userId, \"pin\": value.pinId}'"].join('\n'),
  output: ({ options, input, expressionType }) => ({ key: input.key, value: options.value === undefined ? input.value : expressionType('value') }),
  options: {
    value: { kind: 'expression', description: 'CEL expression for the new value (default: the value unchanged).' },
    timestamp: { kind: 'expression', description: 'CEL expression for the new event time in epoch ms.' },
  },
  check(options) {
    return options.value === undefined && options.timestamp === undefined
      ? [{ path: [], message: "give 'value' or 'timestamp' (a map that changes nothing is a mistake)" }] : [];
  },
  create(options, context) {
    const value = options.value === undefined ? undefined : recordExpression(options.value, 'value', context.stepId);
    const timestamp = options.timestamp === undefined ? undefined : recordExpression(options.timestamp, 'timestamp', context.stepId);
    return perRecord(context, (record) => {
      const next = value ? value(record) : record.value;
      if (!timestamp) return derive(record, next);
      const ts = timestamp(record);
      if (typeof ts !== 'number' || !Number.isFinite(ts)) {
        throw new RecordError(`map timestamp expression gave ${String(ts)}, expected epoch milliseconds`, { ...record.source, stepId: context.stepId });
      }
      return derive(record, next, { timestamp: ts });
    });
  },
});
