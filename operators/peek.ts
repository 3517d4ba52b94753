import { defineOperator } from './operator-spec';
import { perRecord } from './internal/per-record';
import { recordExpression } from './record-expression';
import { passesRecordsOn } from './internal/output-types';

/** Where peek lines go; a test can swap it. */
export const peekOutput: { write(line: string): void } = { write: (line) => { process.stderr.write(line); } };

/**
 * Logs records as JSON lines on stderr and passes them on unchanged, for
 * debugging a topology. `every` samples one record in N.
 *
 * ```
 * a ─ b ─ c ─|
 * a ─ b ─ c ─|   (each also written to stderr)
 * ```
 */
export const peek = defineOperator({
  name: 'peek',
  summary: 'Log records (JSON lines on stderr) and pass them on unchanged.',
  example: ['- id: debug', '  peek:', '    label: after-filter', '    expression: value.pinId'].join('\n'),
  output: passesRecordsOn,
  options: {
    label: { kind: 'string', description: 'Text put in front of every line (default: the step id).' },
    expression: { kind: 'expression', description: 'CEL expression of what to print (default: key, value and timestamp).' },
    every: { kind: 'integer', default: 1, description: 'Print one record in this many.' },
  },
  check(options) {
    return options.every < 1 ? [{ path: ['every'], message: 'every must be at least 1' }] : [];
  },
  create(options, context) {
    const what = options.expression === undefined ? undefined : recordExpression(options.expression, 'expression', context.stepId);
    const label = options.label ?? context.stepId;
    const every = options.every;
    let seen = 0;
    return perRecord(context, (record) => {
      if (seen++ % every === 0) {
        const shown = what ? what(record) : { key: record.key, value: record.value, timestamp: record.timestamp };
        peekOutput.write(`${label} ${JSON.stringify(shown, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`);
      }
      return record;
    });
  },
});
