import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { aggregateReduce } from '../../../operators/aggregate-reduce';
import { rec, runBatches, show, TestContext } from './internal/test-context';

describe('aggregateReduce operator', () => {
  it('combines values with a module function loaded by path', async () => {
    const module = path.join(__dirname, 'internal/fixtures/longest.js');
    const [out] = await runBatches(aggregateReduce, { store: 'r', module }, [[rec('u', 'ab', 1), rec('u', 'c', 2), rec('u', 'def', 3)]]);
    assert.deepEqual(show(out!), ['u:"ab"@1', 'u:"ab"@2', 'u:"def"@3']);
  });

  it('reports a module that cannot be loaded or lacks reduce', () => {
    assert.throws(() => aggregateReduce.create({ store: 'r', module: '/nonexistent/x.js' }, new TestContext()), /cannot load module/);
    assert.throws(() => aggregateReduce.create({ store: 'r', module: { other: 1 } }, new TestContext()), /must export reduce/);
  });
});
