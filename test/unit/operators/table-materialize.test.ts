import { strict as assert } from 'node:assert';
import { tableMaterialize } from '../../../operators/table-materialize';
import { rec, runBatches, show, TestContext } from './internal/test-context';

describe('tableMaterialize operator', () => {
  it('upserts by key in arrival order, deletes on null, and passes records on unchanged', async () => {
    const ctx = new TestContext();
    const [out] = await runBatches(tableMaterialize, { store: 't' }, [[rec('p', { cat: 'x' }, 1), rec('q', { cat: 'y' }, 1), rec('p', { cat: 'z' }, 2), rec('q', null, 3)]], ctx);
    assert.deepEqual(show(out!), ['p:{"cat":"x"}@1', 'q:{"cat":"y"}@1', 'p:{"cat":"z"}@2', 'q:null@3']);
    const store = ctx.keyValueStore('t');
    assert.deepEqual(await store.getMany(['p', 'q']), [{ cat: 'z' }, undefined]);
  });

  it('stores a projection when value is given, and sends a failing projection to the error policy', async () => {
    const ctx = new TestContext();
    const [out] = await runBatches(tableMaterialize, { store: 't', value: 'value.features' }, [[rec('p', { features: [1, 2] }, 1), rec('q', 5, 1)]], ctx);
    assert.equal(out!.length, 2, 'a missing field reads as absent (deletes), it is not an error for a field path');
    assert.deepEqual(await ctx.keyValueStore('t').get('p'), [1, 2]);
    const [bad] = await runBatches(tableMaterialize, { store: 't', value: 'value.features + 1' }, [[rec('p', { features: 'a' }, 1)]], ctx);
    assert.deepEqual(bad, []);
    assert.equal(ctx.failed.length, 1);
  });
});
