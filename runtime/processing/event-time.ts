import { compileExpression } from '../../operators/cel-expression';
import { compileFieldPath } from '../../core/field-path';
import { RecordError } from '../../core/errors';
import type { StreamRecord } from '../../core/stream-record';
import type { CompiledSource } from '../../topology/compiled-topology';

/** A record as it comes off its source, before anything has stamped its event time. */
export type UnstampedRecord = Pick<StreamRecord, 'key' | 'value' | 'headers' | 'timestamp' | 'source'>;

/** Reads a record's event time (epoch ms) as its source says; throws an EventTimeError when there is none. */
export type EventTimeReader = (record: UnstampedRecord) => number;

/** A record whose source's `timestamp` setting finds no event time in it. */
export class EventTimeError extends RecordError {}

/**
 * The one owner of a source's event-time rule (`timestamp:` in the topology):
 * - `record` (default): the Kafka record timestamp, kept as it is (undefined is returned);
 * - `field: a.b`: the value at that dotted path;
 * - `expression: ...`: a CEL expression over key, value, timestamp and headers.
 * A field or an expression may give epoch milliseconds (a number, bigint or numeric string), a
 * Date or CEL timestamp, or an ISO-8601 string. Production stamps decoded records with it (so
 * event-time alignment orders by the same time windows use); the test driver stamps what it pipes.
 */
export function eventTimeReader(source: CompiledSource): EventTimeReader | undefined {
  const config = source.timestamp;
  if (config.kind === 'record') return undefined;
  const where = config.kind === 'field' ? `field '${config.field}'` : `expression '${config.expression}'`;
  const read: (record: UnstampedRecord) => unknown = config.kind === 'field'
    ? ((path) => (record) => path(record.value))(compileFieldPath(config.field))
    : ((expression) => (record) => expression.evaluate(record as StreamRecord))(compileExpression(config.expression));
  return (record) => {
    const raw = read(record);
    const ms = epochMillis(raw);
    // The value itself stays out of the message: it reaches logs under onError skip/fail.
    if (ms === undefined) {
      throw new EventTimeError(`source ${source.name}: event-time ${where} gave ${describe(raw)}, not a timestamp (epoch ms, Date or ISO-8601 string)`, { ...record.source });
    }
    return ms;
  };
}

function epochMillis(raw: unknown): number | undefined {
  let ms: number;
  if (typeof raw === 'number') ms = raw;
  else if (typeof raw === 'bigint') ms = Number(raw);
  else if (raw instanceof Date) ms = raw.getTime();
  else if (typeof raw === 'string') ms = /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : Date.parse(raw);
  else if (raw !== null && typeof raw === 'object') {
    const cel = celTimestampMillis(raw);
    if (cel === undefined) return undefined;
    ms = cel;
  } else return undefined;
  return Number.isFinite(ms) ? ms : undefined;
}

/** A CEL `timestamp(...)` result: a google.protobuf.Timestamp, bare or inside @bufbuild's reflection wrapper. */
function celTimestampMillis(raw: object): number | undefined {
  const wrapped = (raw as { message?: unknown }).message;
  const message = (wrapped !== null && typeof wrapped === 'object' ? wrapped : raw) as { $typeName?: unknown; seconds?: unknown; nanos?: unknown };
  if (message.$typeName !== 'google.protobuf.Timestamp') return undefined;
  return Number(message.seconds) * 1000 + Number(message.nanos ?? 0) / 1e6;
}

function describe(raw: unknown): string {
  if (raw === null) return 'null';
  if (raw === undefined) return 'nothing';
  return `a ${typeof raw === 'object' ? 'non-date object' : typeof raw}`;
}
