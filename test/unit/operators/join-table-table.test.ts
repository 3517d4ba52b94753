import { strict as assert } from 'node:assert';
import { joinTableTable } from '../../../operators/join-table-table';
import type { StreamRecord } from '../../../core/stream-record';
import { runBatches, TestContext } from './internal/test-context';

const L = (v: unknown, t: number): StreamRecord => ({ key: 'u', value: v, timestamp: t, headers: {}, source: { topic: 'users', partition: 0, offset: '0' } });
const R = (v: unknown, t: number): StreamRecord => ({ key: 'u', value: v, timestamp: t, headers: {}, source: { topic: 'profiles', partition: 0, offset: '0' } });
const values = (records: StreamRecord[]) => records.map((r) => JSON.stringify(r.value));

describe('joinTableTable operator', () => {
  it('inner: emits when both sides exist and a tombstone when the result disappears', async () => {
    const ctx = new TestContext();
    const [out] = await runBatches(joinTableTable, { store: 't', rightTopic: 'profiles', mode: 'inner' }, [[L('a', 1), R('x', 2), R('y', 3), L(null, 4), R(null, 5)]], ctx);
    assert.deepEqual(values(out!), ['{"left":"a","right":"x"}', '{"left":"a","right":"y"}', 'null']);
    assert.equal(ctx.keyValueStore('t').size(), 0);
  });

  it('left and outer modes, across a restart', async () => {
    const ctx = new TestContext();
    const left = await runBatches(joinTableTable, { store: 'l', rightTopic: 'profiles', mode: 'left' }, [[R('x', 1), L('a', 2)]], ctx);
    const left2 = await runBatches(joinTableTable, { store: 'l', rightTopic: 'profiles', mode: 'left' }, [[R(null, 3)]], ctx);
    assert.deepEqual([...left, ...left2].map(values), [['{"left":"a","right":"x"}'], ['{"left":"a","right":null}']]);
    const [outer] = await runBatches(joinTableTable, { store: 'o', rightTopic: 'profiles', mode: 'outer' }, [[R('x', 1), R(null, 2)]]);
    assert.deepEqual(values(outer!), ['{"left":null,"right":"x"}', 'null']);
  });
});
