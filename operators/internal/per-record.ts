import { Observable, type OperatorFunction } from 'rxjs';
import type { StreamRecord } from '../../core/stream-record';
import type { OperatorContext } from '../operator-spec';

/**
 * The shape of every stateless operator: a synchronous function per record
 * returning zero, one or many records. A throw for one record hands that
 * record to the step's error policy (`context.recordFailed`) and the batch
 * goes on; the stream itself never errors because of one record.
 */
export function perRecord(
  context: OperatorContext,
  fn: (record: StreamRecord) => StreamRecord | readonly StreamRecord[] | undefined,
): OperatorFunction<StreamRecord, StreamRecord> {
  return (source) => new Observable<StreamRecord>((subscriber) => source.subscribe({
    next(record) {
      let out: StreamRecord | readonly StreamRecord[] | undefined;
      try {
        out = fn(record);
      } catch (error) {
        context.recordFailed(record, error);
        return;
      }
      if (out === undefined) return;
      if (Array.isArray(out)) for (const r of out as readonly StreamRecord[]) subscriber.next(r);
      else subscriber.next(out as StreamRecord);
    },
    error: (err) => subscriber.error(err),
    complete: () => subscriber.complete(),
  }));
}
