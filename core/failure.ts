import { TributaryError } from './errors';

/**
 * The one retry rule. Another try can help when the error says so: a TributaryError by its
 * class (TransientError), a Kafka client error by the client's own rule (`clientSays`, e.g.
 * kafkajs' retriable flag and rebalance errors), and an error rebuilt from another thread or a
 * library by a `retriable: true` flag it carries. Everything else is final: the caller
 * dead-letters the record, fails the task or stops the app, as its layer decides.
 */
export function canRetry(error: unknown, clientSays?: (error: unknown) => boolean): boolean {
  if (error instanceof TributaryError && error.retriable) return true;
  if (clientSays?.(error) === true) return true;
  if (error instanceof TributaryError) return false;
  return error !== null && typeof error === 'object' && (error as { retriable?: unknown }).retriable === true;
}
