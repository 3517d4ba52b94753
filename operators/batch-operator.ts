import { concatMap, from, toArray, type OperatorFunction } from 'rxjs';
import type { StreamRecord } from '../core/stream-record';

/**
 * The shape of every stateful operator: the task's input Observable completes
 * at the end of each consumer batch, so the whole batch is gathered, processed
 * with one multi-get of its keys, and its outputs emitted in order. An empty
 * batch still runs `process`, which is how timers fire when no records come
 * (the executor pushes empty batches as punctuation ticks).
 */
export function batchOperator(
  process: (records: StreamRecord[]) => Promise<StreamRecord[]>,
): OperatorFunction<StreamRecord, StreamRecord> {
  return (source) => source.pipe(
    toArray(),
    concatMap((batch) => from(process(batch))),
    concatMap((outputs) => from(outputs)),
  );
}
