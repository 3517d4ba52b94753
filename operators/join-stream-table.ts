import type { StreamRecord } from '../core/stream-record';
import { defineOperator } from './operator-spec';
import { optionalAccessor } from './internal/field-path';
import { batchOperator } from './batch-operator';
import { placeResult } from './internal/emit';
import { withField } from './value-type';

/**
 * Enriches each record with the value a table holds for its key (or for a
 * key computed from it): the table is a store filled by `table-materialize` or
 * by an aggregate step. All lookups of a batch are one `getMany`. With the
 * record key the table must be co-partitioned with the stream; with a `key`
 * expression it must be a global store (every task holds all of it).
 *
 * ```
 * table pins: {p1: {cat: food}}
 * e:{pin:p1}@1 ─ e:{pin:p9}@2 ─|      (key: value.pin, into: pinInfo)
 * e:{pin:p1,pinInfo:{cat:food}}@1 ─ e:{pin:p9,pinInfo:null}@2 (left)
 * ```
 */
export const joinStreamTable = defineOperator({
  name: 'join-stream-table',
  summary: 'Enrich each record with the value of a table (a store) for its key or a key computed from it; inner or left.',
  stateful: true,
  example: [
    '- id: with-pin',
    '  join-stream-table:',
    '    table: pins',
    '    key: value.pinId',
    '    into: pin',
    '    mode: inner',
  ].join('\n'),
  output: (context) => ({ key: context.input.key, value: withField(context.input.value, context.options.into, context.storeValueType(context.options.table)) }),
  options: {
    table: { kind: 'store', access: 'read', required: true, description: 'The store to look records up in (read only: may be a global store).' },
    key: { kind: 'expression', description: 'The lookup key; default the record key (co-partitioned). Other keys need a global store.' },
    into: { kind: 'string', required: true, description: 'Field of the output value that receives the table value (null when absent in a left join).' },
    mode: { kind: 'string', default: 'left', oneOf: ['left', 'inner'], description: "'inner' drops records with no table entry; 'left' keeps them with null." },
  },
  create(options, context) {
    const table = context.keyValueStore<unknown, unknown>(options.table);
    const key = optionalAccessor(options.key, 'key', (r) => r.key, context.stepId);
    const into = options.into;
    const inner = options.mode === 'inner';
    return batchOperator(async (records) => {
      const keyed: Array<{ record: StreamRecord; key: unknown }> = [];
      for (const record of records) {
        try {
          keyed.push({ record, key: key(record) });
        } catch (error) {
          context.recordFailed(record, error);
        }
      }
      if (keyed.length === 0) return [];
      const found = await table.getMany(keyed.map((k) => k.key));
      const out: StreamRecord[] = [];
      for (let i = 0; i < keyed.length; i++) {
        const v = found[i];
        const record = keyed[i]!.record;
        if (v === undefined) {
          if (inner) { context.count?.('join_misses', 1); continue; }
          out.push(placeResult(record, null, into));
        } else {
          out.push(placeResult(record, v, into));
        }
      }
      return out;
    });
  },
});
