import { RecordError } from '../core/errors';
import { defineOperator } from './operator-spec';
import { derive } from './internal/emit';
import { perRecord } from './internal/per-record';
import { recordExpression } from './record-expression';
import { DYN } from './value-type';

/**
 * Turns each record into zero or more records, one per element of the list a
 * CEL expression returns; each element becomes a value under the same key.
 *
 * ```
 * expression: value.text.split(" ")
 * a:"x y" ─ b:"" ─|
 * a:x a:y ─ b:"" ─|
 * ```
 */
export const flatMap = defineOperator({
  name: 'flat-map',
  summary: 'Emit one record per element of the list a CEL expression returns.',
  example: ['- id: words', '  flat-map:', '    expression: value.text.split(" ")'].join('\n'),
  output: ({ input, expressionType }) => {
    const list = expressionType('expression');
    return list.kind === 'list'
      ? { key: input.key, value: list.element }
      : { key: input.key, value: DYN, note: 'the expression\'s element type is not known' };
  },
  options: {
    expression: { kind: 'expression', required: true, description: 'CEL expression returning a list; each element becomes a value.' },
  },
  create(options, context) {
    const items = recordExpression(options.expression, 'expression', context.stepId);
    return perRecord(context, (record) => {
      const list = items(record);
      if (!Array.isArray(list)) {
        throw new RecordError(`flat-map expression gave ${typeof list}, expected a list`, { ...record.source, stepId: context.stepId });
      }
      return list.map((value) => derive(record, value));
    });
  },
});
