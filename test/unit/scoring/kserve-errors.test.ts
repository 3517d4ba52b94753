import { strict as assert } from 'node:assert';
import { classify } from '../../../runtime/scoring/internal/kserve-errors';
import { ConfigError, TransientError } from '../../../core/errors';

describe('classify (runtime/scoring/internal/kserve-errors.ts): the protocol kind of an error follows canRetry', () => {
  it('answers unavailable for what another try can help, ours or rebuilt from another thread', () => {
    assert.deepEqual(classify(new TransientError('worker restarting')), { kind: 'unavailable', message: 'worker restarting' });
    assert.deepEqual(classify(Object.assign(new Error('worker gone'), { retriable: true })), { kind: 'unavailable', message: 'worker gone' });
  });

  it('answers invalid for our final errors and internal (without its message) for anything else', () => {
    assert.deepEqual(classify(new ConfigError('no such model')), { kind: 'invalid', message: 'no such model' });
    const internal = classify(new TypeError('Cannot read properties of null'));
    assert.equal(internal.kind, 'internal');
    assert.doesNotMatch(internal.message, /properties of null/);
  });
});
