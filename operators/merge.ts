import { defineOperator } from './operator-spec';
import { passesRecordsOn } from './internal/output-types';

/**
 * Joins the output of other pipelines into this one at this step (the
 * executor wires their records in; the step itself passes records through).
 * `from: [a, b]` on a pipeline does the same at its start.
 *
 * ```
 * this: a ─── c ─|   other: b ─|
 *       a ─ b ─ c ─|   (order between inputs is arrival order)
 * ```
 */
export const merge = defineOperator({
  name: 'merge',
  summary: 'Merge the records of other pipelines into this pipeline at this step.',
  example: ['- id: all-events', '  merge:', '    pipelines: [clicks, saves]'].join('\n'),
  output: passesRecordsOn,
  options: {
    pipelines: { kind: 'list', required: true, items: { kind: 'pipeline', description: 'A pipeline.' }, description: 'Pipelines whose output joins here.' },
  },
  check(options) {
    return Array.isArray(options.pipelines) && options.pipelines.length === 0 ? [{ path: ['pipelines'], message: 'name at least one pipeline' }] : [];
  },
  create() {
    return (source) => source;
  },
});
