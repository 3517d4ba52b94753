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
