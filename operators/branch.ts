import { RecordError } from '../core/errors';
import { defineOperator } from './operator-spec';
import { perRecord } from './internal/per-record';
import { recordExpression } from './record-expression';
import { passesRecordsOn } from './internal/output-types';

/**
 * Routes each record to the first branch whose `when` is true (a sink or a
 * pipeline); records no branch takes continue down this pipeline.
 *
 * ```
 * branches: [{when: value.action == "hide", pipeline: hides}]
 * a:click ─ b:hide ─|
 * a:click ──────────|     hides: b:hide
 * ```
 */
export const branch = defineOperator({
  name: 'branch',
  summary: 'Route each record to the first matching branch (sink or pipeline); the rest continue.',
  example: [
    '- id: split-actions',
    '  branch:',
    '    branches:',
    '      - when: value.action == "hide"',
    '        pipeline: hides',
    '      - when: value.action == "save"',
    '        sink: saves-out',
  ].join('\n'),
  output: passesRecordsOn,
  options: {
    branches: {
      kind: 'list', required: true, description: 'Branches, tried in order.',
      items: {
        kind: 'object', description: 'One branch: a condition and exactly one target.',
        fields: {
          when: { kind: 'expression', required: true, returns: 'bool', description: 'CEL boolean expression.' },
          pipeline: { kind: 'pipeline', description: 'Pipeline that receives matching records.' },
          sink: { kind: 'sink', description: 'Sink that receives matching records.' },
        },
      },
    },
  },
  check(options) {
    const branches = options.branches;
    const problems = branches.flatMap((b, i) => (b && (b.pipeline === undefined) === (b.sink === undefined)
      ? [{ path: ['branches', i], message: "a branch needs exactly one of 'pipeline' or 'sink'" }] : []));
    if (branches.length === 0) problems.push({ path: ['branches'], message: 'give at least one branch' });
    return problems;
  },
  create(options, context) {
    const branches = options.branches.map((b, i) => ({
      when: recordExpression(b.when, `branches[${i}].when`, context.stepId),
      target: String(b.pipeline ?? b.sink),
    }));
    return perRecord(context, (record) => {
      for (const b of branches) {
        const hit = b.when(record);
        if (typeof hit !== 'boolean') {
          throw new RecordError(`branch condition gave ${typeof hit}, expected a boolean`, { ...record.source, stepId: context.stepId });
        }
        if (hit) {
          context.sideOutput(b.target, record);
          return undefined;
        }
      }
      return record;
    });
  },
});
