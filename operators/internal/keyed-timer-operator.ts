import type { OperatorFunction } from 'rxjs';
import type { StreamRecord } from '../../core/stream-record';
import type { OperatorContext } from '../operator-spec';
import { BatchCache } from './batch-cache';
import { batchOperator } from '../batch-operator';
import { loadStreamTime, saveStreamTime, startStreamTime } from './stream-clock';
import { decodeKey, encodeKey, stateKey } from './state-keys';
import { TimerIndex } from './timer-index';

/** Result of one step of a timed operator: the key's new state (undefined deletes it) and records to emit, in order. */
export interface TimedStep<S> {
  readonly state: S | undefined;
  readonly out: readonly StreamRecord[];
}

/** The per-key logic of an operator whose state changes with time (windows, debounce, throttle, joins, dedupe). */
export interface TimedLogic<S> {
  /** Brings a key's state to time `now`: closes what is due and returns what that emits. */
  advance(state: S, now: number, key: unknown): TimedStep<S>;
  /** Applies one record to its key's state, already advanced to `now`. */
  apply(state: S | undefined, record: StreamRecord, now: number): TimedStep<S>;
  /** When `advance` next has something to do for this state (undefined: never). */
  nextTimer(state: S): number | undefined;
  /** What state is kept per: the record key unless given (e.g. dedupe by an id). May throw for a bad record. */
  stateKeyOf?(record: StreamRecord): unknown;
}

/** Which clock drives a timed operator. */
export type Clock = 'event' | 'wall';

/**
 * Runs {@link TimedLogic} over batches. Event clock: `now` is the step's stream
 * time (highest event time seen, or the stream time the executor advanced it
 * to at end of input, persisted in the store); wall clock: the
 * context's wall clock, with punctuation requested so quiet tasks still fire.
 *
 * Per batch: one `getMany` for the keys of the batch; each record first
 * advances its key's state to `now` (so a key's own due timers fire before its
 * next record, in order), then applies; at the end every due timer in the
 * store fires, for keys that went quiet. Timers of different keys fire at the
 * end of the batch rather than interleaved with other keys' records.
 */
export function keyedTimerOperator<S>(
  context: OperatorContext,
  storeName: string,
  clock: Clock,
  logic: TimedLogic<S>,
  punctuationMs?: number,
): OperatorFunction<StreamRecord, StreamRecord> {
  const store = context.keyValueStore<string, unknown>(storeName);
  const timers = new TimerIndex(store);
  if (clock === 'wall' && punctuationMs !== undefined) context.requestPunctuation?.(Math.max(1, Math.floor(punctuationMs)));
  return batchOperator(async (records) => {
    const cache = new BatchCache<string, S>(store as never);
    const initial = clock === 'event' ? await loadStreamTime(store) : -Infinity;
    await timers.begin();
    let streamTime = clock === 'event' ? startStreamTime(initial, context) : initial;
    const out: StreamRecord[] = [];
    const commit = (encoded: string, before: S | undefined, step: TimedStep<S>) => {
      timers.reschedule(encoded, before === undefined ? undefined : logic.nextTimer(before), step.state === undefined ? undefined : logic.nextTimer(step.state));
      cache.set(stateKey(encoded), step.state);
      out.push(...step.out);
    };
    const keyed: Array<{ record: StreamRecord; key: unknown; encoded: string }> = [];
    for (const record of records) {
      try {
        const key = logic.stateKeyOf ? logic.stateKeyOf(record) : record.key;
        keyed.push({ record, key, encoded: encodeKey(key) });
      } catch (error) {
        context.recordFailed(record, error);
      }
    }
    await cache.load(keyed.map((k) => stateKey(k.encoded)));
    keyed.forEach(({ record, key, encoded }) => {
      if (clock === 'event') streamTime = Math.max(streamTime, record.timestamp);
      const now = clock === 'event' ? streamTime : context.wallClock();
      let state = cache.get(stateKey(encoded));
      try {
        if (state !== undefined) {
          const advanced = logic.advance(state, now, key);
          commit(encoded, state, advanced);
          state = advanced.state;
        }
        commit(encoded, state, logic.apply(state, record, now));
      } catch (error) {
        context.recordFailed(record, error);
      }
    });
    const now = clock === 'event' ? streamTime : context.wallClock();
    const due = await timers.due(now);
    await cache.load(due.map((t) => stateKey(t.encodedKey)));
    for (const timer of due) {
      const state = cache.get(stateKey(timer.encodedKey));
      if (state === undefined || logic.nextTimer(state) !== timer.time) {
        timers.reschedule(timer.encodedKey, timer.time, undefined);
        continue;
      }
      commit(timer.encodedKey, state, logic.advance(state, now, decodeKey(timer.encodedKey)));
    }
    if (clock === 'event') saveStreamTime(store, initial, streamTime);
    timers.end();
    cache.flush();
    return out;
  });
}
