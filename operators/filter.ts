import { RecordError } from '../core/errors';
import { defineOperator } from './operator-spec';
import { perRecord } from './internal/per-record';
import { recordExpression } from './record-expression';
import { passesRecordsOn } from './internal/output-types';

/**
 * Keeps the records for which a CEL expression is true. A result that is not
 * a boolean is a failure of that record (its step's error policy applies).
 *
 * ```
 * expression: value.action == "click"
 * a:click ─ b:save ─ c:click ─|
 * a:click ────────── c:click ─|
 * ```
 */
export const filter = defineOperator({
  name: 'filter',
  summary: 'Keep records for which a CEL expression is true.',
  example: ['- id: only-clicks', '  filter:', '    expression: value.action == "click"'].join('\n'),
  output: passesRecordsOn,
  options: {
    expression: { kind: 'expression', required: true, returns: 'bool', description: 'CEL expression over key, value, timestamp, headers; must be a boolean.' },
  },
  create(options, context) {
    const test = recordExpression(options.expression, 'expression', context.stepId);
    return perRecord(context, (record) => {
      const keep = test(record);
      if (typeof keep !== 'boolean') {
        throw new RecordError(`filter expression gave ${typeof keep}, expected a boolean`, { ...record.source, stepId: context.stepId });
      }
      return keep ? record : undefined;
    });
  },
});
