import { compileExpression } from '../../../operators/cel-expression';
import type { CompiledSource } from '../../../topology/compiled-topology';
import { RecordError } from '../../../core/errors';
import type { StreamRecord } from '../../../core/stream-record';

/** Sets a record's event time as its source says; throws a RecordError when the value holds none. */
export type Timestamper = (record: StreamRecord) => StreamRecord;

/** The event-time extractor of a source (undefined: the Kafka record timestamp is kept). */
export function sourceTimestamper(source: CompiledSource): Timestamper | undefined {
  const ts = source.timestamp;
  if (ts.kind === 'record') return undefined;
  const read = ts.kind === 'field'
    ? (r: StreamRecord) => (r.value as Record<string, unknown> | null | undefined)?.[ts.field]
    : ((e) => (r: StreamRecord) => e.evaluate(r))(compileExpression(ts.expression));
  return (record) => {
    const raw = read(record);
    const ms = typeof raw === 'bigint' ? Number(raw) : raw instanceof Date ? raw.getTime() : raw;
    if (typeof ms !== 'number' || !Number.isFinite(ms)) {
      throw new RecordError(`source ${source.name}: event time ${ts.kind === 'field' ? `field '${ts.field}'` : 'expression'} gave ${String(raw)}, expected epoch ms`,
        { ...record.source });
    }
    return { ...record, timestamp: ms };
  };
}
