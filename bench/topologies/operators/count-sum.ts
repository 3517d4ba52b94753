import { concatMap, from, toArray, type OperatorFunction } from 'rxjs';
import type { OperatorSpec } from '../../../operators/operator-spec';
import type { StreamRecord } from '../../../core/stream-record';

/** The per-key state and the output value of the benchmark (bench/schemas/bench-aggregate.avsc). */
interface CountSum {
  count: number;
  sum: number;
}

/**
 * The count+sum benchmark's operator, loaded by path from bench-count-sum.yaml: per key, the
 * running count and sum of `value.amount` in a key-value store, emitted for every record.
 * Per batch: one multi-get of the batch's distinct keys, then buffered puts, as the
 * architecture notes ask (never one awaited store call per record).
 */
export const spec: OperatorSpec = {
  name: 'count-sum',
  summary: 'Count records and sum value.amount per key in a store; emit {count, sum} per record.',
  stateful: true,
  example: ['- id: count-sum', '  operator: ./operators/count-sum.ts', '  options:', '    store: count-sum'].join('\n'),
  options: {
    store: { kind: 'store', required: true, description: 'Key-value store of the per-key count and sum.' },
  },
  create(options, context): OperatorFunction<StreamRecord, StreamRecord> {
    const store = context.keyValueStore<string, CountSum>(String(options.store));
    return (source) => source.pipe(
      toArray(),
      concatMap(async (batch) => {
        const keys = [...new Set(batch.map((r) => String(r.key)))];
        const found = await store.getMany(keys);
        const state = new Map(keys.map((k, i) => [k, found[i] ?? { count: 0, sum: 0 }]));
        return batch.map((record) => {
          const key = String(record.key);
          const prev = state.get(key)!;
          const amount = Number((record.value as { amount: number | bigint }).amount);
          const next = { count: prev.count + 1, sum: prev.sum + amount };
          state.set(key, next);
          store.put(key, next);
          return { ...record, value: next };
        });
      }),
      concatMap((out) => from(out)),
    );
  },
};
