import { strict as assert } from 'node:assert';
import { KafkaJSProtocolError, KafkaJSNonRetriableError } from 'kafkajs';
import { isRecoverableKafkajsError } from '../../../runtime/kafka/client/kafkajs/kafkajs-errors';

/** A protocol error as kafkajs builds one from a broker answer (its typings take only the message). */
function protocolError(message: string, type: string, code: number): KafkaJSProtocolError {
  const answer = Object.assign(new Error(message), { type, code, retriable: false });
  return new KafkaJSProtocolError(answer);
}

describe('isRecoverableKafkajsError', () => {
  it('treats group membership changes as recoverable, even when kafkajs wraps them', () => {
    const unknownMember = protocolError('The coordinator is not aware of this member', 'UNKNOWN_MEMBER_ID', 25);
    assert.equal(isRecoverableKafkajsError(unknownMember), true);
    assert.equal(isRecoverableKafkajsError(new KafkaJSNonRetriableError(unknownMember)), true);
  });

  it('does not treat other failures as recoverable', () => {
    assert.equal(isRecoverableKafkajsError(new Error('boom')), false);
    const tooLarge = protocolError('too large', 'MESSAGE_TOO_LARGE', 10);
    assert.equal(isRecoverableKafkajsError(tooLarge), false);
  });
});
