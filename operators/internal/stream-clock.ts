import type { KeyValueStore } from '../../core/key-value-store';
import type { OperatorContext } from '../operator-spec';
import { metaKey } from './state-keys';

const KEY = metaKey('streamTime');

/**
 * The stream time a step has observed: the highest event time of the records
 * that reached it, kept in the step's store so lateness and window closing
 * decide the same way after a restart. It is per step rather than the task's
 * `context.streamTime()` because an upstream `event-time` step may rewrite
 * timestamps, and the task clock follows the Kafka record timestamps.
 */
export async function loadStreamTime(store: KeyValueStore<string, unknown>): Promise<number> {
  const stored = await store.get(KEY);
  return typeof stored === 'number' ? stored : -Infinity;
}

/** Writes the step's stream time when it moved forward in this batch. */
export function saveStreamTime(store: KeyValueStore<string, unknown>, previous: number, current: number): void {
  if (current > previous) store.put(KEY, current);
}

/**
 * The stream time a step starts a batch at: its stored one, or the stream time
 * the executor advanced every step to (the test driver at end of input) when
 * that is later. Save the result with {@link saveStreamTime} against the
 * stored value, so that an advance is kept like any other.
 */
export function startStreamTime(stored: number, context: Pick<OperatorContext, 'advancedStreamTime'>): number {
  const advanced = context.advancedStreamTime?.() ?? -Infinity;
  return advanced > stored ? advanced : stored;
}
