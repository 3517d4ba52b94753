import { strict as assert } from 'node:assert';
import { aggregateLastN } from '../../../operators/aggregate-last-n';
import { rec, runBatches, TestContext } from './internal/test-context';
import { stepProblems } from './internal/step-problems';

const items = (v: unknown) => (v as { items: Array<{ item: unknown; timestamp: number }> }).items.map((e) => e.item);

describe('aggregateLastN operator', () => {
  it('keeps the most recent N, newest first, with attributes', async () => {
    const [out] = await runBatches(aggregateLastN, { store: 's', n: 2, item: 'value.pin', attributes: ['action'] }, [[
      rec('u', { pin: 'a', action: 'click' }, 1), rec('u', { pin: 'b', action: 'save' }, 2), rec('u', { pin: 'c', action: 'click' }, 3),
    ]]);
    assert.deepEqual(out!.map((r) => items(r.value)), [['a'], ['b', 'a'], ['c', 'b']]);
    assert.deepEqual((out![2]!.value as { items: unknown[] }).items[0], { item: 'c', timestamp: 3, attributes: { action: 'click' } });
  });

  it('inserts an out-of-order record in its place and ignores one older than a full sequence', async () => {
    const [out] = await runBatches(aggregateLastN, { store: 's', n: 3, item: 'value.pin' }, [[
      rec('u', { pin: 'a' }, 10), rec('u', { pin: 'b' }, 30), rec('u', { pin: 'c' }, 20), rec('u', { pin: 'old' }, 5),
    ]]);
    assert.deepEqual(out!.map((r) => items(r.value)), [['a'], ['b', 'a'], ['b', 'c', 'a']]);
  });

  it('keeps one entry per item when distinct, and drops entries past maxAge', async () => {
    const [out] = await runBatches(aggregateLastN, { store: 's', n: 5, item: 'value.pin', distinct: true, maxAge: 100 }, [[
      rec('u', { pin: 'a' }, 1), rec('u', { pin: 'b' }, 2), rec('u', { pin: 'a' }, 3), rec('u', { pin: 'c' }, 102),
    ]]);
    assert.deepEqual(out!.map((r) => items(r.value)), [['a'], ['b', 'a'], ['a', 'b'], ['c', 'a']]);
  });

  it('restores the sequence from the store after a restart (new operator instance, same store)', async () => {
    const ctx = new TestContext();
    await runBatches(aggregateLastN, { store: 's', n: 3, item: 'value.pin' }, [[rec('u', { pin: 'a' }, 1)]], ctx);
    const [out] = await runBatches(aggregateLastN, { store: 's', n: 3, item: 'value.pin' }, [[rec('u', { pin: 'b' }, 2)]], ctx);
    assert.deepEqual(items(out![0]!.value), ['b', 'a']);
  });

  it('rejects n <= 0 at validate', () => {
    assert.deepEqual(stepProblems(['- id: s', '  aggregate-last-n: { store: s, n: 0, item: value.pin }'], ['s']), ['aggregate-last-n: n must be a positive integer']);
  });
});
