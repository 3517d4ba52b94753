import { RecordError } from '../core/errors';
import { defineOperator } from './operator-spec';
import { intoOption, storeOption } from './internal/common-options';
import { decayedAdd, durationLabel } from './internal/decay';
import { optionalAccessor } from './internal/field-path';
import { tableAggregate } from './internal/table-aggregate';
import { recordOf, scalar } from './value-type';
import { placed } from './internal/output-types';

/** Stored (and emitted) value: counters per name, each with one total per half-life, as of `updatedAt`. */
export interface DecayedCounts {
  readonly updatedAt: number;
  readonly counts: Record<string, Record<string, number>>;
}

/**
 * Exponentially decayed counters: per key, one number per (name, half-life)
 * — e.g. clicks and saves at 1h / 1d / 7d — updated in O(1) per record.
 * Totals are brought to the record's event time before adding; an
 * out-of-order record decays its own increment instead, so the result does
 * not depend on arrival order.
 *
 * ```
 * halfLives: [1h], by: value.action
 * u:click@0 ──── u:click@1h ─────|
 * {click:{1h:1}}@0  {click:{1h:1.5}}@1h
 * ```
 *
 * Read by key from its store (a table) by `join-stream-table` or `score`;
 * decay a stored total to time t with `total * 2^-((t - updatedAt) / halfLife)`.
 */
export const aggregateDecayedCount = defineOperator({
  name: 'aggregate-decayed-count',
  summary: 'Per-key exponentially decayed counters, several half-lives (and optionally several names) in one value.',
  stateful: true,
  example: [
    '- id: user-action-counts',
    '  aggregate-decayed-count:',
    '    store: user-action-counts',
    '    halfLives: [1h, 1d, 7d]',
    '    by: value.action',
  ].join('\n'),
  output: (context) => placed(context, recordOf('decayed counts', [['updatedAt', scalar('double')], ['counts', { kind: 'map', key: scalar('string'), value: { kind: 'map', key: scalar('string'), value: scalar('double') } }]]), 'aggregate-decayed-count'),
  options: {
    store: storeOption('the counters, keyed by record key'),
    halfLives: { kind: 'list', required: true, items: { kind: 'duration', positive: true, description: 'A half-life.' }, description: 'Half-lives to keep, e.g. [1h, 1d, 7d].' },
    by: { kind: 'expression', description: 'Counter name per record (e.g. value.action); absent: a single counter named "count".' },
    weight: { kind: 'expression', description: 'Amount to add per record (a number); default 1.' },
    into: intoOption,
  },
  check(options) {
    return options.halfLives.length === 0 ? [{ path: ['halfLives'], message: 'halfLives must name at least one half-life' }] : [];
  },
  create(options, context) {
    const halfLives = options.halfLives.slice();
    const labels = halfLives.map(durationLabel);
    const by = optionalAccessor(options.by, 'by', () => 'count', context.stepId);
    const weight = optionalAccessor(options.weight, 'weight', () => 1, context.stepId);
    return tableAggregate<DecayedCounts>(context, options.store, options.into, (state, record) => {
      const rawName = by(record);
      if (rawName === undefined || rawName === null) throw new RecordError("counter name ('by') is missing", { ...record.source, stepId: context.stepId });
      const name = String(rawName);
      const amount = Number(weight(record));
      if (!Number.isFinite(amount)) throw new RecordError(`weight is not a number: ${String(weight(record))}`, { ...record.source, stepId: context.stepId });
      const at = record.timestamp;
      const from = state?.updatedAt ?? at;
      const now = Math.max(from, at);
      const counts: Record<string, Record<string, number>> = {};
      for (const [counter, totals] of Object.entries(state?.counts ?? {})) {
        counts[counter] = Object.fromEntries(labels.map((label, i) => [label, decayedAdd(totals[label] ?? 0, from, 0, now, halfLives[i]!)]));
      }
      const current = counts[name] ?? {};
      counts[name] = Object.fromEntries(labels.map((label, i) => [label, decayedAdd(current[label] ?? 0, now, amount, at, halfLives[i]!)]));
      const next: DecayedCounts = { updatedAt: now, counts };
      return { state: next };
    });
  },
});
