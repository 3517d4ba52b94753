import { strict as assert } from 'node:assert';
import * as histogram from './internal/fixtures/histogram';
import { aggregateCustom } from '../../../operators/aggregate';
import { rec, runBatches, show, TestContext } from './internal/test-context';

describe('aggregate operator (module function)', () => {
  it('runs init/add from a module per key', async () => {
    const [out] = await runBatches(aggregateCustom, { store: 'h', module: histogram }, [[rec('u', 'a', 1), rec('u', 'b', 2), rec('u', 'a', 3)]]);
    assert.deepEqual(show(out!), ['u:{"a":1}@1', 'u:{"a":1,"b":1}@2', 'u:{"a":2,"b":1}@3']);
  });

  it('rejects a module without init and add', () => {
    assert.throws(() => aggregateCustom.create({ store: 'h', module: { add: () => 0 } }, new TestContext()), /init\(\) and add/);
  });
});
