import { ConfigError } from '../core/errors';
import type { StreamRecord } from '../core/stream-record';
import { defineOperator } from './operator-spec';
import { aggregateOption, makeAggregator } from './internal/aggregators';
import { emitOption, graceOption, lateToOption, storeOption } from './internal/common-options';
import { keyedTimerOperator } from './internal/keyed-timer-operator';
import { routeLate } from './internal/late-records';
import { checkTimestamp, windowResult } from './internal/window-result';
import { windowOutput } from './internal/output-types';

interface Session {
  /** First and last event time (both inclusive). */
  readonly s: number;
  readonly e: number;
  readonly a: unknown;
}

/**
 * Session windows: a key's records at most `gap` apart (inclusive) form one
 * session [first, last]; a record that bridges two sessions merges them
 * (accumulators merge). A session is final once stream time passes
 * last + gap + grace; a record is late when the session it would form or
 * extend already ends before stream time - grace. With `emit: update`, a merge
 * first emits a null (tombstone) for each session it replaces. Results are
 * keyed `{key, window: {start, end}}` with both ends inclusive.
 *
 * ```
 * gap: 5, aggregate: count, emit: final (all key u)
 * a@0 ─ b@5 ─────── c@20 ──────── d@40 ──|
 * ───────────────── {u,[0,5]}:2 ─ {u,[20,20]}:1
 * ```
 */
export const windowSession = defineOperator({
  name: 'window-session',
  summary: 'Session windows over event time (activity separated by an inactivity gap), with an aggregate per key and session.',
  stateful: true,
  changesKey: true,
  example: [
    '- id: sessions',
    '  window-session:',
    '    store: user-sessions',
    '    gap: 30m',
    '    aggregate: { fn: count }',
  ].join('\n'),
  output: windowOutput,
  options: {
    store: storeOption('open sessions and their timers'),
    gap: { kind: 'duration', required: true, positive: true, description: 'Inactivity that ends a session (records at most this far apart join).' },
    grace: graceOption,
    emit: emitOption,
    aggregate: aggregateOption,
    lateTo: lateToOption,
  },
  create(options, context) {
    const gap = options.gap;
    const grace = options.grace;
    const agg = makeAggregator(options.aggregate, context.stepId);
    if (!agg.merge) throw new ConfigError(`step ${context.stepId}: session windows merge accumulators; the aggregate module must export merge(a, b)`);
    const merge = agg.merge;
    const final = options.emit === 'final';
    const lateTo = options.lateTo;
    const closeAt = (s: Session) => s.e + gap + grace + 1;
    return keyedTimerOperator<{ sessions: Session[] }>(context, options.store, 'event', {
      nextTimer: (state) => Math.min(...state.sessions.map(closeAt)),
      advance: (state, now, key) => {
        const closed = state.sessions.filter((s) => closeAt(s) <= now);
        if (closed.length === 0) return { state, out: [] };
        const open = state.sessions.filter((s) => closeAt(s) > now);
        const out = final ? closed.map((s) => windowResult(key, s.s, s.e, agg.result(s.a), s.e)) : [];
        return { state: open.length ? { sessions: open } : undefined, out };
      },
      apply: (state, record, now) => {
        const t = checkTimestamp(record, context.stepId);
        const sessions = state?.sessions ?? [];
        const joined = sessions.filter((s) => t >= s.s - gap && t <= s.e + gap);
        const merged: Session = joined.reduce<Session>(
          (m, s) => ({ s: Math.min(m.s, s.s), e: Math.max(m.e, s.e), a: merge(s.a, m.a) }),
          { s: t, e: t, a: agg.add(agg.init(), record) },
        );
        if (merged.e < now - grace) {
          routeLate(context, lateTo, record, `its session ended before stream time ${now} minus grace`);
          return { state, out: [] };
        }
        const rest = sessions.filter((s) => !joined.includes(s));
        const out: StreamRecord[] = [];
        if (!final) {
          for (const old of joined) out.push(windowResult(record.key, old.s, old.e, null, record.timestamp, record));
          out.push(windowResult(record.key, merged.s, merged.e, agg.result(merged.a), merged.e, record));
        }
        return { state: { sessions: [...rest, merged].sort((a, b) => a.s - b.s) }, out };
      },
    });
  },
});
