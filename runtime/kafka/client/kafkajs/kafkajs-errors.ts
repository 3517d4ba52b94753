/**
 * Kafka failures a task recovers from by being rebuilt, not by stopping the
 * app: the group moved on (rebalance, fenced or unknown member, stale
 * generation), a coordinator moved, or kafkajs calls the error retriable.
 * The batch in hand is then fetched and processed again (under
 * exactly_once after its task's state is wiped and restored).
 */
const GROUP_OR_COORDINATOR = new Set([
  'REBALANCE_IN_PROGRESS',
  'UNKNOWN_MEMBER_ID',
  'ILLEGAL_GENERATION',
  'NOT_COORDINATOR',
  'COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'CONCURRENT_TRANSACTIONS',
  'FENCED_INSTANCE_ID',
]);

// kafkajs re-wraps protocol errors (KafkaJSNonRetriableError) keeping only the
// broker's message, so the group-membership answers are also known by their text.
const GROUP_MESSAGES = /coordinator is not aware of this member|group is rebalancing|generation id is not valid|not the correct coordinator|coordinator is not available|coordinator is loading/i;

export function isRecoverableKafkajsError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const k = e as { name?: string; type?: string; retriable?: boolean; cause?: unknown; originalError?: unknown };
    if (typeof k.name === 'string' && k.name.startsWith('KafkaJS')) {
      if (k.type && GROUP_OR_COORDINATOR.has(k.type)) return true;
      if (k.retriable === true) return true;
      if (GROUP_MESSAGES.test((e as Error).message ?? '')) return true;
    }
    e = k.originalError ?? k.cause;
  }
  return false;
}

/** Group-membership answers kafkajs' consumer runner handles by rejoining, by the `type` it checks. */
const REJOIN_TYPES = new Set(['UNKNOWN_MEMBER_ID', 'REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION']);
const REJOIN_MESSAGES: ReadonlyArray<[RegExp, string]> = [
  [/coordinator is not aware of this member/i, 'UNKNOWN_MEMBER_ID'],
  [/group is rebalancing/i, 'REBALANCE_IN_PROGRESS'],
  [/generation id is not valid/i, 'ILLEGAL_GENERATION'],
];

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
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const k = e as { type?: string; cause?: unknown; originalError?: unknown };
    if (k.type && REJOIN_TYPES.has(k.type)) return e;
    e = k.originalError ?? k.cause;
  }
  const message = error instanceof Error ? error.message : '';
  const match = REJOIN_MESSAGES.find(([pattern]) => pattern.test(message));
  return match ? Object.assign(new Error(message, { cause: error }), { name: 'KafkaJSProtocolError', type: match[1], retriable: false }) : error;
}
