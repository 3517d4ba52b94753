import { defineOperator } from './operator-spec';
import { perRecord } from './internal/per-record';
import { passesRecordsOn } from './internal/output-types';

/**
 * Writes a copy of every record to a sink mid-pipeline and passes the record
 * on (a pipeline's `to:` is the usual way to end in sinks).
 *
 * ```
 * sink: audit
 * a ─ b ─|
 * a ─ b ─|   audit: a b
 * ```
 */
export const to = defineOperator({
  name: 'to',
  summary: 'Write a copy of each record to a sink and pass it on.',
  example: ['- id: audit-copy', '  to:', '    sink: audit'].join('\n'),
  output: passesRecordsOn,
  options: {
    sink: { kind: 'sink', required: true, description: 'Sink that receives a copy of every record.' },
  },
  create(options, context) {
    const sink = options.sink;
    return perRecord(context, (record) => {
      context.sideOutput(sink, record);
      return record;
    });
  },
});
