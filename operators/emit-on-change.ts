import { defineOperator } from './operator-spec';
import { optionalAccessor } from './internal/field-path';
import { tableAggregate } from './internal/table-aggregate';
import { materiallyEqual } from './internal/material-equal';
import { passesRecordsOn } from './internal/output-types';

/**
 * Passes a record only when what it carries differs materially from the last
 * record passed for its key: numbers within `tolerance` are equal, fields named
 * in `ignore` (e.g. generatedAt, version) are not compared, and with `prefix`
 * only the first N elements of lists count (e.g. only the top of a ranking).
 * The first record of a key always passes. Records held back are counted
 * (`unchanged_dropped`): suppressing them is this step's purpose.
 *
 * ```
 * tolerance: 0.01
 * u:1.0@1 ─ u:1.005@2 ─ u:1.2@3 ──|
 * u:1.0@1 ───────────── u:1.2@3 ──|
 * ```
 */
export const emitOnChange = defineOperator({
  name: 'emit-on-change',
  summary: 'Per key, pass a record only when it differs materially from the last one passed.',
  stateful: true,
  example: [
    '- id: changed-only',
    '  emit-on-change:',
    '    store: last-emitted',
    '    compare: value.items',
    '    prefix: 10',
    '    ignore: [score]',
    '    tolerance: 0.001',
  ].join('\n'),
  output: passesRecordsOn,
  options: {
    store: { kind: 'store', required: true, description: 'The last compared projection per key.' },
    compare: { kind: 'expression', description: 'What to compare; default the whole value.' },
    ignore: { kind: 'list', default: [], items: { kind: 'string', description: 'A field name.' }, description: 'Field names ignored at any depth.' },
    tolerance: { kind: 'number', default: 0, description: 'Numbers whose absolute difference is at most this are equal.' },
    prefix: { kind: 'integer', description: 'Compare only the first N elements of lists.' },
  },
  create(options, context) {
    const compare = optionalAccessor(options.compare, 'compare', (r) => r.value, context.stepId);
    const rules = {
      ignore: new Set(options.ignore),
      tolerance: options.tolerance,
      prefix: options.prefix,
    };
    const step = tableAggregate<{ last: unknown }>(context, options.store, undefined, (state, record) => {
      const projection = compare(record) ?? null;
      if (state !== undefined && materiallyEqual(state.last, projection, rules)) {
        context.count?.('unchanged_dropped', 1);
        return { state, emit: false };
      }
      return { state: { last: projection }, result: record.value };
    });
    return step;
  },
});
