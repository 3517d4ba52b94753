/**
 * Per-topic fetch bytes per partition for kafkajs (patch 10 of kafkajs-patches.ts). kafkajs'
 * consumer asks every partition for one `maxBytesPerPartition`; Tributary gives fan-in
 * repartition topics more (runtime/kafka/fetch-budgets.ts). `Broker#fetch` raises the
 * `maxBytes` of each requested partition of a topic held here to the topic's budget.
 *
 * Held per topic name for the process (a consumer's brokers are not reachable from its
 * options): the topics are the application's own repartition topics, which only its group
 * consumer reads; another reader of one in the same process would only get larger fetches.
 */
const held = new Map<string, number[]>();

/** Holds these budgets until the returned release is called (a consumer's life). */
export function holdTopicFetchBudgets(budgets: ReadonlyMap<string, number>): () => void {
  for (const [topic, bytes] of budgets) held.set(topic, [...(held.get(topic) ?? []), bytes]);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    for (const [topic, bytes] of budgets) {
      const rest = [...(held.get(topic) ?? [])];
      rest.splice(rest.indexOf(bytes), 1);
      if (rest.length === 0) held.delete(topic);
      else held.set(topic, rest);
    }
  };
}

/** The topics of a kafkajs fetch request, as `Broker#fetch` takes them. */
export type FetchTopics = ReadonlyArray<{ readonly topic: string; readonly partitions: ReadonlyArray<{ readonly maxBytes?: number }> }>;

/** The request's topics with each held topic's partitions asking for at least its budget. */
export function withTopicFetchBudgets<T extends FetchTopics>(topics: T): T {
  if (held.size === 0 || !topics.some((t) => held.has(t.topic))) return topics;
  return topics.map((t) => {
    const budget = held.get(t.topic);
    if (budget === undefined) return t;
    const bytes = Math.max(...budget);
    return { ...t, partitions: t.partitions.map((p) => ((p.maxBytes ?? 0) >= bytes ? p : { ...p, maxBytes: bytes })) };
  }) as unknown as T;
}

const FETCH_BUDGETS = Symbol.for('tributary.kafkajs.fetchBudgets');

/** Wraps Broker#fetch; says whether the wrapper is in place. */
export function installFetchBudgets(): boolean {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const Broker = require('kafkajs/src/broker') as { prototype: Record<string | symbol, unknown> };
  type Fetch = (this: unknown, request: { topics: FetchTopics }) => Promise<unknown>;
  const proto = Broker.prototype as { fetch: Fetch; [FETCH_BUDGETS]?: true };
  if (proto[FETCH_BUDGETS]) return true;
  const original = proto.fetch;
  proto.fetch = function fetch(this: unknown, request: { topics: FetchTopics }) {
    return original.call(this, { ...request, topics: withTopicFetchBudgets(request.topics) });
  };
  proto[FETCH_BUDGETS] = true;
  return true;
}
