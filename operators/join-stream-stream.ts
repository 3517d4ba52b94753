import type { StreamRecord } from '../core/stream-record';
import { defineOperator } from './operator-spec';
import { graceOption, lateToOption, storeOption } from './internal/common-options';
import { derive } from './internal/emit';
import { joinSideOptions, joinSideProblems, rightSide } from './internal/join-side';
import { keyedTimerOperator } from './internal/keyed-timer-operator';
import { routeLate } from './internal/late-records';
import { loadRecord, storeRecord, type StoredRecord } from './internal/record-codec';
import { joinedSides } from './internal/output-types';

interface Buffered {
  readonly r: StoredRecord;
  /** Left records: whether any right record joined it (a left join emits the unmatched with null). */
  readonly m?: boolean;
}

interface JoinState {
  readonly l: Buffered[];
  readonly r: Buffered[];
}

/**
 * Joins two co-partitioned streams (merged into one pipeline) on key within a
 * time window: a left and a right record of the same key join when their
 * event times are at most `within` apart (inclusive). Each arrival joins every
 * buffered record of the other side, so each pair is emitted once, as
 * `{left, right}` with the later timestamp. `mode: left` also emits
 * `{left, right: null}` for a left record no right record joined, once its
 * window has closed (stream time past t + within + grace). Records older than
 * stream time - grace are late.
 *
 * ```
 * within: 5, rightTopic: impressions (L = left, R = right; all key u)
 * L1@0 ─ R1@3 ─ R2@9 ─ L2@20 ─────── R3@40 ──|
 * ────── {L1,R1}@3 ─────────────────── {L2,null}@20 (mode: left)
 * ```
 */
export const joinStreamStream = defineOperator({
  name: 'join-stream-stream',
  summary: 'Join two co-partitioned streams on key when their event times are within a window; inner or left.',
  stateful: true,
  example: [
    '- id: click-after-impression',
    '  join-stream-stream:',
    '    store: impression-click-join',
    '    rightTopic: clicks',
    '    within: 10m',
    '    mode: left',
  ].join('\n'),
  output: (context) => joinedSides(context, 'join-stream-stream'),
  options: {
    store: storeOption('buffered records of both sides'),
    within: { kind: 'duration', required: true, description: 'Largest event-time distance between joined records.' },
    mode: { kind: 'string', default: 'inner', oneOf: ['inner', 'left'], description: "'left' also emits unmatched left records with right: null when their window closes." },
    grace: graceOption,
    lateTo: lateToOption,
    ...joinSideOptions,
  },
  check: joinSideProblems,
  create(options, context) {
    const within = options.within;
    const grace = options.grace;
    const isRight = rightSide(options, context.stepId);
    const left = options.mode === 'left';
    const lateTo = options.lateTo;
    const expires = (b: Buffered) => b.r.t + within + grace + 1;
    const pair = (l: StreamRecord, r: StreamRecord | null, from: StreamRecord) =>
      derive(from, { left: l.value, right: r === null ? null : r.value }, { timestamp: Math.max(l.timestamp, r?.timestamp ?? -Infinity) });
    return keyedTimerOperator<JoinState>(context, options.store, 'event', {
      nextTimer: (state) => Math.min(...state.l.map(expires), ...state.r.map(expires)),
      advance: (state, now) => {
        const out: StreamRecord[] = [];
        const l = state.l.filter((b) => {
          if (expires(b) > now) return true;
          if (left && !b.m) { const rec = loadRecord(b.r); out.push(pair(rec, null, rec)); }
          return false;
        });
        const r = state.r.filter((b) => expires(b) > now);
        return { state: l.length || r.length ? { l, r } : undefined, out };
      },
      apply: (state, record, now) => {
        if (record.timestamp < now - grace) {
          routeLate(context, lateTo, record, `older than stream time ${now} minus grace`);
          return { state, out: [] };
        }
        const s: JoinState = state ?? { l: [], r: [] };
        const near = (b: Buffered) => Math.abs(b.r.t - record.timestamp) <= within;
        const stored = storeRecord(record);
        if (isRight(record)) {
          const out: StreamRecord[] = [];
          const l = s.l.map((b) => {
            if (!near(b)) return b;
            out.push(pair(loadRecord(b.r), record, record));
            return { r: b.r, m: true };
          });
          return { state: { l, r: [...s.r, { r: stored }] }, out };
        }
        const matches = s.r.filter(near);
        const out = matches.map((b) => pair(record, loadRecord(b.r), record));
        return { state: { l: [...s.l, { r: stored, m: matches.length > 0 }], r: s.r }, out };
      },
    });
  },
});
