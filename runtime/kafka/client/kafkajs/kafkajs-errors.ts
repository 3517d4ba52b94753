/**
 * Broker answers that mean the group or its coordinator moved on, by the
 * `type` kafkajs gives them and by the broker's message: kafkajs re-wraps
 * protocol errors (KafkaJSNonRetriableError) and sometimes keeps only the
 * message. `rejoin`: kafkajs' consumer runner answers this type by rejoining
 * the group (see errorForKafkajsRunner).
 */
const MOVED_ON: ReadonlyArray<{ readonly type: string; readonly message?: RegExp; readonly rejoin?: boolean }> = [
  { type: 'UNKNOWN_MEMBER_ID', message: /coordinator is not aware of this member/i, rejoin: true },
  { type: 'REBALANCE_IN_PROGRESS', message: /group is rebalancing/i, rejoin: true },
  { type: 'ILLEGAL_GENERATION', message: /generation id is not valid/i, rejoin: true },
  { type: 'NOT_COORDINATOR', message: /not the correct coordinator/i },
  { type: 'COORDINATOR_NOT_AVAILABLE', message: /coordinator is not available/i },
  { type: 'COORDINATOR_LOAD_IN_PROGRESS', message: /coordinator is loading/i },
  { type: 'CONCURRENT_TRANSACTIONS' },
  { type: 'FENCED_INSTANCE_ID' },
];

interface ChainLink {
  readonly name?: string;
  readonly type?: string;
  readonly retriable?: boolean;
  readonly message?: string;
  readonly cause?: unknown;
  readonly originalError?: unknown;
}

/** The error and what it wraps, outermost first (a few levels at most). */
function* causeChain(error: unknown): Generator<ChainLink> {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const link = e as ChainLink;
    yield link;
    e = link.originalError ?? link.cause;
  }
}

/**
 * Kafka failures a task recovers from by being rebuilt, not by stopping the
 * app: the group moved on (rebalance, fenced or unknown member, stale
 * generation), a coordinator moved, or kafkajs calls the error retriable.
 * The batch in hand is then fetched and processed again (under
 * exactly_once after its task's state is wiped and restored).
 */
export function isRecoverableKafkajsError(error: unknown): boolean {
  for (const e of causeChain(error)) {
    if (typeof e.name !== 'string' || !e.name.startsWith('KafkaJS')) continue;
    if (e.retriable === true) return true;
    if (MOVED_ON.some((a) => a.type === e.type || (a.message?.test(e.message ?? '') ?? false))) return true;
  }
  return false;
}

/**
 * The error to hand back to kafkajs' consumer runner when a batch handler failed.
 *
 * The runner rejoins the group only for an error whose own `type` says the
 * membership ended (evicted member, rebalance, stale generation). The offset
 * commit of a batch reports those wrapped in a KafkaJSNonRetriableError, which the
 * runner does not recognise: it crashed the consumer for good and left the app
 * idle. So the membership error inside the chain (or one rebuilt from the
 * broker's message) goes back instead; anything else goes back unchanged.
 */
export function errorForKafkajsRunner(error: unknown): unknown {
  const rejoin = MOVED_ON.filter((a) => a.rejoin);
  for (const e of causeChain(error)) {
    if (rejoin.some((a) => a.type === e.type)) return e;
  }
  const message = error instanceof Error ? error.message : '';
  const answer = rejoin.find((a) => a.message?.test(message));
  return answer ? Object.assign(new Error(message, { cause: error }), { name: 'KafkaJSProtocolError', type: answer.type, retriable: false }) : error;
}
