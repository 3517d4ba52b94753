import { strict as assert } from 'node:assert';
import { canRetry } from '../../../core/failure';
import { ConfigError, RecordError, TransientError } from '../../../core/errors';

describe('canRetry (core/failure.ts, the one retry rule)', () => {
  it('follows a TributaryError\'s class', () => {
    assert.equal(canRetry(new TransientError('broker away')), true);
    assert.equal(canRetry(new ConfigError('bad file')), false);
    assert.equal(canRetry(new RecordError('poison', {})), false);
  });

  it('asks the Kafka client about errors that are not ours', () => {
    const rebalance = Object.assign(new Error('The group is rebalancing'), { type: 'REBALANCE_IN_PROGRESS' });
    const kafkaSays = (error: unknown) => (error as { type?: string }).type === 'REBALANCE_IN_PROGRESS';
    assert.equal(canRetry(rebalance, kafkaSays), true);
    assert.equal(canRetry(new Error('bug'), kafkaSays), false);
  });

  it('honours a retriable flag carried by an error rebuilt from another thread, but not on our own final errors', () => {
    assert.equal(canRetry(Object.assign(new Error('worker gone'), { retriable: true })), true);
    assert.equal(canRetry({ retriable: true }), true);
    assert.equal(canRetry(Object.assign(new Error('x'), { retriable: 'yes' })), false);
    assert.equal(canRetry(undefined), false);
    assert.equal(canRetry(null), false);
  });
});
