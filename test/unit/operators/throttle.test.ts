import { strict as assert } from 'node:assert';
import { throttle } from '../../../operators/throttle';
import { rec, runBatches, show, TestContext } from './internal/test-context';

describe('throttle operator', () => {
  it('passes the first record, holds the rest of the interval and emits the latest held one when it ends', async () => {
    const out = await runBatches(throttle, { store: 's', interval: 10 }, [
      [rec('u', 'a', 0), rec('u', 'b', 3), rec('u', 'c', 6), rec('u', 'd', 25), rec('u', 'e', 27)],
      [rec('v', 'x', 35)],
    ]);
    assert.deepEqual(out.map(show), [['u:"a"@0', 'u:"c"@6', 'u:"d"@25'], ['v:"x"@35', 'u:"e"@27']]);
  });

  it('throttles keys independently and leaves no state once a key is quiet', async () => {
    const ctx = new TestContext();
    const out = await runBatches(throttle, { store: 's', interval: 10 }, [[rec('u', 'a', 0), rec('v', 'b', 1), rec('u', 'c', 2)], [rec('w', 'z', 100)]], ctx);
    assert.deepEqual(out.map(show), [['u:"a"@0', 'v:"b"@1'], ['w:"z"@100', 'u:"c"@2']]);
    const left = ctx.keyValueStore('s').stateSize();
    assert.equal(left, 2, 'only w (state + timer) remains');
  });

  it('emits the held record after a restart', async () => {
    const ctx = new TestContext();
    await runBatches(throttle, { store: 's', interval: 10 }, [[rec('u', 'a', 0), rec('u', 'b', 1)]], ctx);
    const out = await runBatches(throttle, { store: 's', interval: 10 }, [[rec('v', 'x', 10)]], ctx);
    assert.deepEqual(out.map(show), [['v:"x"@10', 'u:"b"@1']]);
  });
});
