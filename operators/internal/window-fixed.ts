import type { OperatorFunction } from 'rxjs';
import type { StreamRecord } from '../../core/stream-record';
import type { OperatorContext } from '../operator-spec';
import { makeAggregator, type AggregateSettings } from './aggregators';
import { keyedTimerOperator } from './keyed-timer-operator';
import { routeLate } from './late-records';
import { checkTimestamp, windowResult } from './window-result';

interface OpenWindow {
  /** Start (inclusive); the end (exclusive) is start + size. */
  readonly s: number;
  readonly a: unknown;
  /** Highest event time in the window: the result's timestamp. */
  readonly m: number;
}

interface KeyWindows {
  readonly w: OpenWindow[];
}

/** The options tumbling and hopping windows share, as validate resolved them (size and advance positive, advance at most size). */
export interface FixedWindowOptions {
  readonly store: string;
  readonly aggregate: AggregateSettings;
  readonly grace: number;
  readonly emit: 'final' | 'update';
  readonly lateTo?: string;
}

/**
 * Tumbling (advance = size) and hopping windows over event time: [start,
 * start + size) with starts at multiples of `advance`. All open windows of a
 * key live in one store entry, so a batch reads its keys with one multi-get
 * and a window closes by its key's timer once stream time reaches end + grace
 * — also when the key itself went quiet. A record whose windows are all
 * closed is late; one that still has an open window updates only that one.
 */
export function fixedWindows(options: FixedWindowOptions, context: OperatorContext, size: number, advance: number): OperatorFunction<StreamRecord, StreamRecord> {
  const { grace, lateTo } = options;
  const final = options.emit === 'final';
  const agg = makeAggregator(options.aggregate, context.stepId);
  const closeAt = (w: OpenWindow) => w.s + size + grace;
  return keyedTimerOperator<KeyWindows>(context, options.store, 'event', {
    nextTimer: (state) => Math.min(...state.w.map(closeAt)),
    advance: (state, now, key) => {
      const closed = state.w.filter((w) => closeAt(w) <= now);
      if (closed.length === 0) return { state, out: [] };
      const open = state.w.filter((w) => closeAt(w) > now);
      const out = final ? closed.map((w) => windowResult(key, w.s, w.s + size, agg.result(w.a), w.m)) : [];
      return { state: open.length ? { w: open } : undefined, out };
    },
    apply: (state, record, now) => {
      const t = checkTimestamp(record, context.stepId);
      const starts: number[] = [];
      for (let s = Math.floor(t / advance) * advance; s > t - size; s -= advance) if (s >= 0 && s + size + grace > now) starts.push(s);
      if (starts.length === 0) {
        routeLate(context, lateTo, record, `its windows closed at stream time ${now}`);
        return { state, out: [] };
      }
      const windows = [...(state?.w ?? [])];
      const out: StreamRecord[] = [];
      for (const s of starts.reverse()) {
        const i = windows.findIndex((w) => w.s === s);
        const before = i === -1 ? { s, a: agg.init(), m: t } : windows[i]!;
        const after: OpenWindow = { s, a: agg.add(before.a, record), m: Math.max(before.m, t) };
        if (i === -1) windows.push(after); else windows[i] = after;
        if (!final) out.push(windowResult(record.key, s, s + size, agg.result(after.a), after.m, record));
      }
      windows.sort((a, b) => a.s - b.s);
      return { state: { w: windows }, out };
    },
  });
}
