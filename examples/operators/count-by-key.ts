import { concatMap, from, toArray, type OperatorFunction } from 'rxjs';
import type { OperatorSpec } from '../../operators/operator-spec';
import type { StreamRecord } from '../../core/stream-record';

/**
 * A custom operator, loaded by path from a topology (`./operators/count-by-key.ts`):
 * counts records per key in a store and emits `{key, count}` per record.
 * Per batch: one multi-get of the batch's keys, then buffered puts.
 */
export const spec: OperatorSpec = {
  name: 'count-by-key',
  summary: 'Count records per key in a store; emit the running count.',
  stateful: true,
  example: ['- id: count', '  operator: ./operators/count-by-key.ts', '  options:', '    store: counts'].join('\n'),
  options: {
    store: { kind: 'store', required: true, description: 'Key-value store of the counts.' },
  },
  create(options, context): OperatorFunction<StreamRecord, StreamRecord> {
    const store = context.keyValueStore<unknown, number>(String(options.store));
    return (source) => source.pipe(
      toArray(),
      concatMap(async (batch) => {
        const keys = [...new Set(batch.map((r) => JSON.stringify(r.key)))];
        const found = await store.getMany(keys.map((k) => JSON.parse(k) as unknown));
        const counts = new Map(keys.map((k, i) => [k, found[i] ?? 0]));
        return batch.map((record) => {
          const k = JSON.stringify(record.key);
          const count = (counts.get(k) ?? 0) + 1;
          counts.set(k, count);
          store.put(record.key, count);
          return { ...record, value: { key: record.key, count } };
        });
      }),
      concatMap((out) => from(out)),
    );
  },
};
