/**
 * Deterministic input of the count+sum benchmark and of the fault suite: the same seed,
 * record count and key count always give the same keys and amounts in the same order, so
 * a run's expected output can be recomputed instead of stored.
 */

/** One input event, before Avro encoding (fields of bench/schemas/bench-event.avsc). */
export interface BenchEvent {
  /** Record key and `userId` field. */
  readonly key: string;
  readonly userId: string;
  readonly itemId: string;
  /** Summed per key by the workload; small non-negative integers keep sums exact. */
  readonly amount: number;
  /** Position of the event in the generated sequence (0-based). */
  readonly index: number;
}

/** What to generate. */
export interface BenchEventPlan {
  readonly records: number;
  readonly keys: number;
  readonly seed: number;
}

/** A small, fast, seedable PRNG (mulberry32); quality is ample for picking keys. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Yields the plan's events in production order. The first `min(records, keys)` events visit
 * every key once, so a run of at least `keys` records touches the whole key space; later
 * events pick keys uniformly at random.
 */
export function* generateBenchEvents(plan: BenchEventPlan): Generator<BenchEvent> {
  if (!Number.isInteger(plan.records) || plan.records < 0) throw new RangeError(`records must be a non-negative integer, got ${plan.records}`);
  if (!Number.isInteger(plan.keys) || plan.keys < 1) throw new RangeError(`keys must be a positive integer, got ${plan.keys}`);
  const random = mulberry32(plan.seed);
  for (let index = 0; index < plan.records; index++) {
    const k = index < plan.keys ? index : Math.floor(random() * plan.keys);
    const key = `user-${k}`;
    yield {
      key,
      userId: key,
      itemId: `item-${Math.floor(random() * 50_000)}`,
      amount: Math.floor(random() * 1000),
      index,
    };
  }
}

/** Final (count, sum) per key after every event of the plan: what a correct run ends with. */
export function expectedFinalAggregates(plan: BenchEventPlan): Map<string, { count: number; sum: number }> {
  const out = new Map<string, { count: number; sum: number }>();
  for (const e of generateBenchEvents(plan)) {
    const cur = out.get(e.key);
    if (cur) {
      cur.count += 1;
      cur.sum += e.amount;
    } else {
      out.set(e.key, { count: 1, sum: e.amount });
    }
  }
  return out;
}
