import { strict as assert } from 'node:assert';
import { topK } from '../../../operators/top-k';
import { rec, runBatches, TestContext } from './internal/test-context';
import { stepProblems } from './internal/step-problems';

describe('topK operator', () => {
  it('ranks a list carried by a record, ties in input order, and skips items without a numeric score', async () => {
    const [out] = await runBatches(topK, { k: 3, items: 'value.c', itemScore: 's' }, [[
      rec('u', { c: [{ id: 'a', s: 1 }, { id: 'b', s: 3 }, { id: 'c', s: 2 }, { id: 'd', s: 3 }, { id: 'e' }] }, 1),
    ]]);
    assert.deepEqual((out![0]!.value as Array<{ id: string }>).map((i) => i.id), ['b', 'd', 'c']);
  });

  it('caps items per group for diversity and writes into a field', async () => {
    const c = [{ id: 'a', s: 9, l: 'x' }, { id: 'b', s: 8, l: 'x' }, { id: 'c', s: 7, l: 'x' }, { id: 'd', s: 1, l: 'y' }];
    const [out] = await runBatches(topK, { k: 3, items: 'value.c', itemScore: 's', groupBy: 'l', maxPerGroup: 2, into: 'top' }, [[rec('u', { c }, 1)]]);
    assert.deepEqual((out![0]!.value as { top: Array<{ id: string }> }).top.map((i) => i.id), ['a', 'b', 'd']);
  });

  it('keeps the K best per key in the stateful form; a new score replaces, null removes, state survives restart', async () => {
    const ctx = new TestContext();
    const opts = { k: 2, item: 'value.pin', score: 'value.s', store: 'rank' };
    const [first] = await runBatches(topK, opts, [[rec('u', { pin: 'a', s: 1 }, 1), rec('u', { pin: 'b', s: 5 }, 2), rec('u', { pin: 'c', s: 3 }, 3), rec('u', { pin: 'b', s: 0.5 }, 4)]], ctx);
    const ids = (r: { value: unknown }) => (r.value as Array<{ item: string }>).map((e) => e.item);
    assert.deepEqual(first!.map(ids), [['a'], ['b', 'a'], ['b', 'c'], ['c', 'b']]);
    const [second] = await runBatches(topK, opts, [[rec('u', { pin: 'c', s: null }, 5), rec('v', { pin: 'z', s: 1 }, 5)]], ctx);
    assert.deepEqual(second!.map(ids), [['b'], ['z']]);
  });

  it('matches a full sort (ties in list order, group caps) on random lists', async () => {
    let x = 7;
    const rnd = () => { x = (x * 1103515245 + 12345) >>> 0; return x / 2 ** 32; };
    for (let round = 0; round < 50; round++) {
      const c = Array.from({ length: 1 + Math.floor(rnd() * 60) }, (_, i) => ({ id: i, s: Math.floor(rnd() * 10), l: Math.floor(rnd() * 4) }));
      const k = 1 + Math.floor(rnd() * 12);
      const expected: number[] = [];
      const per = new Map<number, number>();
      for (const e of [...c].sort((a, b) => b.s - a.s || a.id - b.id)) {
        if (expected.length >= k) break;
        if ((per.get(e.l) ?? 0) >= 2) continue;
        per.set(e.l, (per.get(e.l) ?? 0) + 1);
        expected.push(e.id);
      }
      const [out] = await runBatches(topK, { k, items: 'value.c', itemScore: 's', groupBy: 'l', maxPerGroup: 2 }, [[rec('u', { c }, 1)]]);
      assert.deepEqual((out![0]!.value as Array<{ id: number }>).map((e) => e.id), expected);
    }
  });

  it('reports a bad configuration', () => {
    assert.deepEqual(topK.check!({ k: 0, score: 's' }).map((p) => p.message), ['k must be a positive integer', 'set exactly one of items (list form) or item (stateful form)']);
    assert.deepEqual(topK.check!({ k: 1, items: 'value.c' }).map((p) => p.message), ['the list form (items) needs itemScore']);
    assert.deepEqual(stepProblems(['- id: t', '  top-k: { k: 2, item: value.x, score: value.s }']), ['top-k: the stateful form (item) needs a store']);
  });
});
