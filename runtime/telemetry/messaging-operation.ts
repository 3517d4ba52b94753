import type { Attributes } from '@opentelemetry/api';
import { attributeNames as A } from './metric-names';

/** What a produced topic is to the application (`tributary.topic.role`). */
export type TopicRole = 'sink' | 'internal' | 'dlq';

/** Client operations measured by `messaging.client.operation.duration`. */
export type ClientOperation = 'send' | 'commit' | 'commit_transaction';

/**
 * The semantic convention's operation name and type. `commit_transaction` has no
 * convention type (it settles the transaction, not messages), so it gets none.
 */
export function operation(name: 'poll' | 'process' | ClientOperation): Attributes {
  const type = { poll: 'receive', process: 'process', send: 'send', commit: 'settle', commit_transaction: undefined }[name];
  return type === undefined ? { [A.operationName]: name } : { [A.operationName]: name, [A.operationType]: type };
}
