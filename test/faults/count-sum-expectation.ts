import type { BenchEvent, BenchEventPlan } from '../helpers/bench-event-generator';
import { generateBenchEvents } from '../helpers/bench-event-generator';
import { BENCH_AGGREGATE_SCHEMA_PATH, loadAvsc } from '../helpers/bench-schemas';
import { unframeConfluent } from '../helpers/confluent-frame';
import type { ReadRecord } from '../helpers/topic-reader';
import type { DeliveryGuarantee } from './delivery-verifier';

/**
 * What the count+sum workload (bench/schemas, the Kafka Streams peer and Tributary's
 * bench-count-sum topology) must produce for a generated input: after the i-th good event of
 * a key, one output (key, count = i, sum of its amounts). Poison events produce no output and
 * one dead-letter record each.
 *
 * Identities: under exactly-once `key#count#sum` (every output exactly once); under
 * at-least-once `key#count`, because re-processing after a crash can legitimately move a
 * stateful sum and repeat counts, while a lost input still leaves a count that never appears.
 */
export interface CountSumExpectation {
  /** Output identities a correct run produces. */
  readonly outputs: string[];
  /** Dead-letter identities (`poison-<index>`), one per poison event. */
  readonly poison: string[];
  readonly recordsIn: number;
}

/** The deterministic 1% poison rule of the fault suite (when `rate` is 0.01); `offset` shifts the chosen events. */
export function poisonEvery(rate: number, offset = 0): (e: BenchEvent) => boolean {
  if (rate <= 0) return () => false;
  const period = Math.round(1 / rate);
  return (e) => (e.index + offset) % period === period - 1;
}

/** Events that are bad input for either reason (poison bytes or an incompatible schema). */
export function eitherOf(...rules: ((e: BenchEvent) => boolean)[]): (e: BenchEvent) => boolean {
  return (e) => rules.some((r) => r(e));
}

/** Expected outputs and dead letters of a plan. */
export function countSumExpectation(plan: BenchEventPlan, isPoison: (e: BenchEvent) => boolean, guarantee: DeliveryGuarantee): CountSumExpectation {
  const state = new Map<string, { count: number; sum: number }>();
  const outputs: string[] = [];
  const poison: string[] = [];
  let recordsIn = 0;
  for (const e of generateBenchEvents(plan)) {
    recordsIn++;
    if (isPoison(e)) {
      poison.push(`poison-${e.index}`);
      continue;
    }
    const s = state.get(e.key) ?? { count: 0, sum: 0 };
    s.count += 1;
    s.sum += e.amount;
    state.set(e.key, s);
    outputs.push(guarantee === 'exactly_once' ? `${e.key}#${s.count}#${s.sum}` : `${e.key}#${s.count}`);
  }
  return { outputs, poison, recordsIn };
}

/** Maps an output record to its identity (same spelling as {@link countSumExpectation}). */
export function countSumOutputIdentity(guarantee: DeliveryGuarantee): (r: ReadRecord) => string {
  const type = loadAvsc(BENCH_AGGREGATE_SCHEMA_PATH).type;
  return (r) => {
    const key = r.key?.toString() ?? '<null key>';
    if (!r.value) return `${key}#<null value>`;
    try {
      const v = type.fromBuffer(unframeConfluent(r.value).body) as { count: number; sum: number };
      return guarantee === 'exactly_once' ? `${key}#${Number(v.count)}#${Number(v.sum)}` : `${key}#${Number(v.count)}`;
    } catch (err) {
      return `${key}#<undecodable: ${(err as Error).message}>`;
    }
  };
}

/** Identity of a dead-letter record: the `poison-<index>` its original value carries. */
export function poisonIdentity(r: ReadRecord): string {
  const text = r.value?.toString('latin1') ?? '';
  return /poison-\d+/.exec(text)?.[0] ?? `<dead letter without a poison marker at ${r.partition}/${r.offset}>`;
}

/**
 * Inputs whose effect is missing from the output: per key, how far the highest count seen falls
 * short of the highest count expected, summed. Under at-least-once a re-processed input can
 * skip one count (state already held it) and push later counts past the end; that shows as
 * missing identities but not as a shortfall here, while a truly lost input shows in both.
 */
export function countShortfall(expected: Iterable<string>, observed: Iterable<string>): number {
  const highest = (ids: Iterable<string>): Map<string, number> => {
    const m = new Map<string, number>();
    for (const id of ids) {
      const [key, count] = id.split('#');
      const n = Number(count);
      if (key === undefined || !Number.isFinite(n)) continue;
      if (n > (m.get(key) ?? 0)) m.set(key, n);
    }
    return m;
  };
  const seen = highest(observed);
  let short = 0;
  for (const [key, want] of highest(expected)) short += Math.max(0, want - (seen.get(key) ?? 0));
  return short;
}
