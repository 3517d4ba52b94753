import type { OperatorFunction } from 'rxjs';
import type { StreamRecord } from '../../core/stream-record';
import type { OperatorContext } from '../operator-spec';
import { BatchCache } from './batch-cache';
import { batchOperator } from '../batch-operator';
import { placeResult } from './emit';

/** What one record does to its key's state. `emit: false` passes nothing on. */
export interface TableStep<S> {
  readonly state: S | undefined;
  readonly result?: unknown;
  readonly emit?: boolean;
}

/**
 * A rolling (unwindowed) per-key aggregate. The store is laid out as a table
 * (record key -> state) so that other steps, `join-stream-table` and `score`
 * included, can read the features by key. A record that fails its update goes
 * to the error policy and leaves the key's state as it was.
 */
export function tableAggregate<S>(
  context: OperatorContext,
  storeName: string,
  into: string | undefined,
  step: (state: S | undefined, record: StreamRecord) => TableStep<S>,
): OperatorFunction<StreamRecord, StreamRecord> {
  const store = context.keyValueStore<unknown, S>(storeName);
  return batchOperator(async (records) => {
    const cache = new BatchCache<unknown, S>(store);
    await cache.load(records.map((r) => r.key));
    const out: StreamRecord[] = [];
    for (const record of records) {
      let next: TableStep<S>;
      try {
        next = step(cache.get(record.key), record);
      } catch (error) {
        context.recordFailed(record, error);
        continue;
      }
      cache.set(record.key, next.state);
      if (next.emit !== false) out.push(placeResult(record, 'result' in next ? next.result : next.state, into));
    }
    cache.flush();
    return out;
  });
}
