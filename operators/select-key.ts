import { defineOperator } from './operator-spec';
import { derive } from './internal/emit';
import { perRecord } from './internal/per-record';
import { recordExpression } from './record-expression';

/**
 * Re-keys records with a CEL expression. A stateful step after it reads
 * through a repartition topic (`<app>-<stepId>-repartition`) that the
 * compiler inserts, so each key's state lives in one task.
 *
 * ```
 * expression: value.pinId
 * u1:{pinId:p1} ─|
 * p1:{pinId:p1} ─|
 * ```
 */
export const selectKey = defineOperator({
  name: 'select-key',
  summary: 'Set the record key from a CEL expression (a stateful step after it gets a repartition topic).',
  changesKey: true,
  example: ['- id: by-pin', '  select-key:', '    expression: value.pinId'].join('\n'),
  output: ({ input, expressionType }) => ({ key: expressionType('expression'), value: input.value }),
  options: {
    expression: { kind: 'expression', required: true, description: 'CEL expression for the new key.' },
  },
  create(options, context) {
    const key = recordExpression(options.expression, 'expression', context.stepId);
    return perRecord(context, (record) => derive(record, record.value, { key: key(record) }));
  },
});
