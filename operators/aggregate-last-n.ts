import { RecordError } from '../core/errors';
import { defineOperator } from './operator-spec';
import { intoOption, storeOption } from './internal/common-options';
import { itemAccessor, recordAccessor } from './internal/field-path';
import { tableAggregate } from './internal/table-aggregate';
import { DYN, recordOf, scalar } from './value-type';
import { listOf, placed } from './internal/output-types';

/** One entry of a last-N sequence. */
export interface SequenceEntry {
  readonly item: unknown;
  readonly timestamp: number;
  readonly attributes: Record<string, unknown>;
}

/** Stored (and emitted) value: most recent first, at most N entries. */
export interface LastN {
  readonly items: SequenceEntry[];
}

/**
 * A bounded sequence of the most recent N items per key (e.g. the user's last
 * 100 engaged pins with action and time), kept newest first by event time; an
 * out-of-order record is inserted in its place, and one older than the N-th
 * entry of a full sequence changes nothing (and emits nothing).
 *
 * ```
 * n: 2, item: value.pin
 * u:{pin:a}@1 ── u:{pin:b}@2 ── u:{pin:c}@3 ──|
 * [a]@1          [b,a]@2         [c,b]@3
 * ```
 */
export const aggregateLastN = defineOperator({
  name: 'aggregate-last-n',
  summary: 'Per-key bounded sequence of the most recent N items with timestamp and attributes.',
  stateful: true,
  example: [
    '- id: recent-pins',
    '  aggregate-last-n:',
    '    store: user-recent-pins',
    '    n: 100',
    '    item: value.pinId',
    '    attributes: [action, surface]',
  ].join('\n'),
  output: (context) => placed(context, recordOf('last n', [['items', listOf(recordOf('entry', [
    ['item', context.expressionType('item')], ['timestamp', scalar('double')], ['attributes', { kind: 'map', key: scalar('string'), value: DYN }],
  ]))]]), 'aggregate-last-n'),
  options: {
    store: storeOption('the sequences, keyed by record key'),
    n: { kind: 'integer', required: true, description: 'How many items to keep per key.' },
    item: { kind: 'expression', required: true, description: 'The item to record (e.g. value.pinId).' },
    attributes: { kind: 'list', default: [], items: { kind: 'string', description: 'Field path in the value.' }, description: 'Fields of the value to keep with each item (named by their last path segment).' },
    maxAge: { kind: 'duration', description: 'Drop entries older than this (relative to the newest entry).' },
    distinct: { kind: 'boolean', default: false, description: 'Keep only the latest entry per item.' },
    into: intoOption,
  },
  check(options) {
    return options.n > 0 ? [] : [{ path: ['n'], message: 'n must be a positive integer' }];
  },
  create(options, context) {
    const n = options.n;
    const item = recordAccessor(options.item, 'item', context.stepId);
    const attributes = options.attributes.map((path) => ({
      name: path.split('.').pop()!, read: itemAccessor(path, 'attributes'),
    }));
    const maxAge = options.maxAge;
    const distinct = options.distinct;
    return tableAggregate<LastN>(context, options.store, options.into, (state, record) => {
      const value = item(record);
      if (value === undefined) throw new RecordError('item is missing', { ...record.source, stepId: context.stepId });
      const entry: SequenceEntry = {
        item: value, timestamp: record.timestamp,
        attributes: Object.fromEntries(attributes.map((a) => [a.name, a.read(record.value) ?? null])),
      };
      let items = state?.items ?? [];
      if (distinct) {
        const existing = items.find((e) => sameItem(e.item, value));
        if (existing && existing.timestamp > record.timestamp) return { state, emit: false };
        items = items.filter((e) => !sameItem(e.item, value));
      }
      const at = items.findIndex((e) => e.timestamp <= record.timestamp);
      const position = at === -1 ? items.length : at;
      if (position >= n) return { state, emit: false };
      let next = [...items.slice(0, position), entry, ...items.slice(position)].slice(0, n);
      if (maxAge !== undefined) next = next.filter((e) => e.timestamp > next[0]!.timestamp - maxAge);
      return { state: { items: next } };
    });
  },
});

function sameItem(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'object' && JSON.stringify(a) === JSON.stringify(b));
}
