import { strict as assert } from 'node:assert';
import { KafkaJSProtocolError, KafkaJSNonRetriableError } from 'kafkajs';
import { errorForKafkajsRunner, isRecoverableKafkajsError } from '../../../runtime/kafka/client/kafkajs/kafkajs-errors';

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

/** How kafkajs' retrier wraps a non-retriable answer (its typings omit the cause option). */
function wrapped(error: Error): KafkaJSNonRetriableError {
  return Object.assign(new KafkaJSNonRetriableError(error), { cause: error });
}

describe('errorForKafkajsRunner', () => {
  it('hands the runner the membership error inside a wrapper, so it rejoins instead of crashing', () => {
    const unknownMember = protocolError('The coordinator is not aware of this member', 'UNKNOWN_MEMBER_ID', 25);
    assert.equal(errorForKafkajsRunner(wrapped(unknownMember)), unknownMember);
    const rebalancing = protocolError('The group is rebalancing, so a rejoin is needed', 'REBALANCE_IN_PROGRESS', 27);
    assert.equal(errorForKafkajsRunner(wrapped(rebalancing)), rebalancing);
  });

  it('rebuilds the type from the broker message when the wrapper kept only that', () => {
    const onlyText = new KafkaJSNonRetriableError(new Error('The coordinator is not aware of this member'));
    const forRunner = errorForKafkajsRunner(onlyText) as { type?: string; cause?: unknown };
    assert.equal(forRunner.type, 'UNKNOWN_MEMBER_ID');
    assert.equal(forRunner.cause, onlyText);
  });

  it('leaves every other error as it is', () => {
    const boom = new Error('boom');
    assert.equal(errorForKafkajsRunner(boom), boom);
    const tooLarge = protocolError('too large', 'MESSAGE_TOO_LARGE', 10);
    assert.equal(errorForKafkajsRunner(tooLarge), tooLarge);
  });
});
