import { defineOperator } from './operator-spec';
import { optionalAccessor } from './internal/field-path';
import { batchOperator } from './batch-operator';
import { passesRecordsOn } from './internal/output-types';

/**
 * Upserts each record into a store by its key (a null or missing value deletes
 * the key: a tombstone), then passes the record on unchanged. This is how a
 * table that `join-stream-table` reads is filled from a stream (e.g. pin
 * features from the image topic). Later records of a key overwrite earlier ones
 * in arrival order.
 *
 * ```
 * p:{cat:x}@1 ── p:null@2 ──|
 * p:{cat:x}@1 ── p:null@2 ──|      store after: {} (p deleted)
 * ```
 */
export const tableMaterialize = defineOperator({
  name: 'table-materialize',
  summary: 'Upsert each record into a store by key (null deletes) and pass it on: fills the tables joins read.',
  stateful: true,
  example: [
    '- id: pins-table',
    '  table-materialize:',
    '    store: pins',
  ].join('\n'),
  output: passesRecordsOn,
  options: {
    store: { kind: 'store', required: true, description: 'The table to write, keyed by record key.' },
    value: { kind: 'expression', description: 'What to store for the key; default the record value.' },
  },
  create(options, context) {
    const store = context.keyValueStore<unknown, unknown>(options.store);
    const value = optionalAccessor(options.value, 'value', (r) => r.value, context.stepId);
    return batchOperator(async (records) => {
      const passed = [];
      for (const record of records) {
        let v: unknown;
        try {
          v = value(record);
        } catch (error) {
          context.recordFailed(record, error);
          continue;
        }
        if (v === null || v === undefined) store.delete(record.key);
        else store.put(record.key, v);
        passed.push(record);
      }
      return passed;
    });
  },
});
