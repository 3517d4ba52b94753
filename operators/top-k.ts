import { RecordError } from '../core/errors';
import { defineOperator } from './operator-spec';
import { intoOption } from './internal/common-options';
import { itemAccessor, recordAccessor } from './internal/field-path';
import { placeResult } from './internal/emit';
import { tableAggregate } from './internal/table-aggregate';
import { batchOperator } from './batch-operator';
import { DYN, recordOf, scalar } from './value-type';
import { listOf, placed } from './internal/output-types';

/** One ranked entry kept by the stateful form. */
export interface RankedItem {
  readonly item: unknown;
  readonly score: number;
  readonly timestamp: number;
}

/**
 * The K best items by score. Two forms:
 * - **list** (`items` set): ranks a list carried by each record (e.g. scored
 *   candidates) and keeps the best K, optionally at most `maxPerGroup` per
 *   `groupBy` value (diversity: e.g. 3 per label). No state.
 * - **stateful** (`item` and `store` set): keeps per key the K best items seen
 *   so far, one entry per item (a new score replaces the old one; a null score
 *   removes it), and emits the ranking after each record. Only the top K are
 *   stored, so an item pushed out does not come back when a better one drops.
 *
 * Ties keep the earlier item first.
 * ```
 * k: 2, items: value.c, itemScore: s
 * u:{c:[{id:a,s:1},{id:b,s:3},{id:c,s:2}]}@1 ──|
 * u:[{id:b,s:3},{id:c,s:2}]@1 ──|
 * ```
 */
export const topK = defineOperator({
  name: 'top-k',
  summary: 'The K best items by score: over a list in each record, or per key over a stream of (item, score).',
  // The stateful form keeps per-key rankings, so a key change before it needs a repartition.
  stateful: true,
  example: [
    '- id: best',
    '  top-k:',
    '    k: 25',
    '    items: value.candidates',
    '    itemScore: utility',
    '    groupBy: label',
    '    maxPerGroup: 3',
    '    into: items',
  ].join('\n'),
  output: (context) => {
    const items = context.expressionType('items');
    const ranked = context.options.items !== undefined
      ? (items.kind === 'list' ? items : listOf(DYN))
      : listOf(recordOf('ranked item', [['item', context.expressionType('item')], ['score', scalar('double')], ['timestamp', scalar('double')]]));
    return placed(context, ranked, 'top-k');
  },
  options: {
    k: { kind: 'integer', required: true, description: 'How many items to keep.' },
    items: { kind: 'expression', description: 'List form: the list to rank.' },
    itemScore: { kind: 'string', description: 'List form: field path of the score inside each list item (e.g. utility or scores.save). Higher is better.' },
    score: { kind: 'expression', description: 'Stateful form: the score of the record\'s item (null removes the item). Higher is better.' },
    item: { kind: 'expression', description: 'Stateful form: the item identity (e.g. value.pinId).' },
    store: { kind: 'store', description: 'Stateful form: the rankings, keyed by record key.' },
    groupBy: { kind: 'string', description: 'List form: field path in each item used with maxPerGroup.' },
    maxPerGroup: { kind: 'integer', description: 'List form: at most this many items per groupBy value.' },
    into: intoOption,
  },
  check(options) {
    const problems = [];
    if (options.k <= 0) problems.push({ path: ['k'], message: 'k must be a positive integer' });
    if ((options.items === undefined) === (options.item === undefined)) problems.push({ path: [], message: 'set exactly one of items (list form) or item (stateful form)' });
    if (options.item !== undefined && options.store === undefined) problems.push({ path: ['store'], message: 'the stateful form (item) needs a store' });
    if (options.item !== undefined && options.score === undefined) problems.push({ path: ['score'], message: 'the stateful form (item) needs score' });
    if (options.items !== undefined && options.itemScore === undefined) problems.push({ path: ['itemScore'], message: 'the list form (items) needs itemScore' });
    return problems;
  },
  create(options, context) {
    const k = options.k;
    const into = options.into;
    if (options.items !== undefined) {
      const items = recordAccessor(options.items, 'items', context.stepId);
      const score = itemAccessor(options.itemScore, 'itemScore');
      const group = options.groupBy === undefined ? undefined : itemAccessor(options.groupBy, 'groupBy');
      const maxPerGroup = options.maxPerGroup ?? Infinity;
      return batchOperator(async (records) => {
        const out = [];
        for (const record of records) {
          try {
            const list = items(record);
            if (!Array.isArray(list)) throw new RecordError('items is not a list', { ...record.source, stepId: context.stepId });
            out.push(placeResult(record, rankList(list, k, score, group, maxPerGroup), into));
          } catch (error) {
            context.recordFailed(record, error);
          }
        }
        return out;
      });
    }
    const item = recordAccessor(options.item, 'item', context.stepId);
    const score = recordAccessor(options.score, 'score', context.stepId);
    // The stateful form: check() refused it without a store.
    return tableAggregate<{ items: RankedItem[] }>(context, options.store!, into, (state, record) => {
      const id = item(record);
      if (id === undefined) throw new RecordError('item is missing', { ...record.source, stepId: context.stepId });
      const s = score(record);
      const rest = (state?.items ?? []).filter((e) => JSON.stringify(e.item) !== JSON.stringify(id));
      if (s !== null && s !== undefined && !Number.isFinite(Number(s))) throw new RecordError(`score is not a number: ${String(s)}`, { ...record.source, stepId: context.stepId });
      const next = s === null || s === undefined ? rest : insertRanked(rest, { item: id, score: Number(s), timestamp: record.timestamp }).slice(0, k);
      return { state: next.length === 0 ? undefined : { items: next }, result: next };
    });
  },
});

function insertRanked(items: RankedItem[], entry: RankedItem): RankedItem[] {
  const at = items.findIndex((e) => e.score < entry.score);
  return at === -1 ? [...items, entry] : [...items.slice(0, at), entry, ...items.slice(at)];
}

/**
 * The best k items in score order, at most maxPerGroup per group. A binary
 * max-heap built in O(n) and popped only until k items are taken does a
 * fraction of a full sort's comparisons when k is much smaller than the list
 * (25 of 300 candidates). Ties keep list order.
 */
function rankList(list: unknown[], k: number, score: (i: unknown) => unknown, group: ((i: unknown) => unknown) | undefined, maxPerGroup: number): unknown[] {
  const idx: number[] = [];
  const s = new Float64Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const v = Number(score(list[i]));
    if (Number.isFinite(v)) { s[i] = v; idx.push(i); }
  }
  const better = (a: number, b: number) => s[a]! > s[b]! || (s[a] === s[b] && a < b);
  const down = (heap: number[], at: number, size: number) => {
    for (;;) {
      const l = 2 * at + 1;
      const r = l + 1;
      let best = at;
      if (l < size && better(heap[l]!, heap[best]!)) best = l;
      if (r < size && better(heap[r]!, heap[best]!)) best = r;
      if (best === at) return;
      [heap[at], heap[best]] = [heap[best]!, heap[at]!];
      at = best;
    }
  };
  let size = idx.length;
  for (let i = (size >> 1) - 1; i >= 0; i--) down(idx, i, size);
  const perGroup = new Map<unknown, number>();
  const out: unknown[] = [];
  while (size > 0 && out.length < k) {
    const top = idx[0]!;
    idx[0] = idx[--size]!;
    down(idx, 0, size);
    const item = list[top];
    if (group !== undefined) {
      const g = group(item);
      const gk = typeof g === 'object' && g !== null ? JSON.stringify(g) : g;
      const n = perGroup.get(gk) ?? 0;
      if (n >= maxPerGroup) continue;
      perGroup.set(gk, n + 1);
    }
    out.push(item);
  }
  return out;
}
