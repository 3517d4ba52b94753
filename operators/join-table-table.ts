import { defineOperator } from './operator-spec';
import { joinSideOptions, joinSideProblems, rightSide } from './internal/join-side';
import { tableAggregate } from './internal/table-aggregate';
import { joinedSides } from './internal/output-types';

interface Sides {
  readonly l?: unknown;
  readonly r?: unknown;
}

/**
 * Joins two tables (changelog streams: the latest value per key, null deletes)
 * merged into one pipeline. Each update emits the key's new join result
 * `{left, right}`: inner needs both sides, left the left side (right may be
 * null), outer either side. When an update makes a previously emitted result
 * disappear, a null value (tombstone) is emitted. The store keeps both sides
 * by key.
 *
 * ```
 * mode: inner, rightTopic: profiles (L = left, R = right; all key u)
 * L:a@1 ─ R:x@2 ─────────── L:null@3 ──|
 * ─────── {a,x}@2 ───────── null@3
 * ```
 */
export const joinTableTable = defineOperator({
  name: 'join-table-table',
  summary: 'Join two tables on key: every update emits the new inner, left or outer result (null when it disappears).',
  stateful: true,
  example: [
    '- id: user-with-profile',
    '  join-table-table:',
    '    store: user-profile-join',
    '    rightTopic: profiles',
    '    mode: left',
  ].join('\n'),
  output: (context) => joinedSides(context, 'join-table-table'),
  options: {
    store: { kind: 'store', required: true, description: 'Both sides per key.' },
    mode: { kind: 'string', default: 'inner', oneOf: ['inner', 'left', 'outer'], description: 'Which sides must be present for a result.' },
    ...joinSideOptions,
  },
  check: joinSideProblems,
  create(options, context) {
    const isRight = rightSide(options, context.stepId);
    const mode = options.mode;
    const joined = (s: Sides | undefined): unknown => {
      const l = s?.l;
      const r = s?.r;
      const ok = mode === 'inner' ? l !== undefined && r !== undefined : mode === 'left' ? l !== undefined : l !== undefined || r !== undefined;
      return ok ? { left: l ?? null, right: r ?? null } : undefined;
    };
    return tableAggregate<Sides>(context, options.store, undefined, (state, record) => {
      const value = record.value === null || record.value === undefined ? undefined : record.value;
      const next: Sides = isRight(record) ? { l: state?.l, r: value } : { l: value, r: state?.r };
      const before = joined(state);
      const after = joined(next);
      const stored = next.l === undefined && next.r === undefined ? undefined : next;
      if (after === undefined) return { state: stored, result: null, emit: before !== undefined };
      return { state: stored, result: after };
    });
  },
});
