import { strict as assert } from 'node:assert';
import type { KeyValueStore } from '../../../core/key-value-store';
import { StoreView } from '../../../examples/home-feed/lib/store-view';

/** A map-backed store that logs its multi-gets and puts. */
function loggingStore(entries: Record<string, unknown>): { store: KeyValueStore<string, unknown>; gets: string[][]; puts: Array<[string, unknown]> } {
  const data = new Map(Object.entries(entries));
  const gets: string[][] = [];
  const puts: Array<[string, unknown]> = [];
  const store = {
    get: async (k: string) => data.get(k),
    getMany: async (keys: readonly string[]) => { gets.push([...keys]); return keys.map((k) => data.get(k)); },
    put: (k: string, v: unknown) => { puts.push([k, JSON.parse(JSON.stringify(v))]); data.set(k, v); },
    delete: (k: string) => { data.delete(k); },
  } as unknown as KeyValueStore<string, unknown>;
  return { store, gets, puts };
}

describe('StoreView (the flagship operators\' per-batch view of a store)', () => {
  it('resolveEach runs again only the items that missed a key, loading each round\'s misses with one multi-get', async () => {
    // list:a names pins p1 and p2; list:b names nothing; an item reads its list, then the pins it names.
    const { store, gets } = loggingStore({ 'list:a': ['p1', 'p2'], 'list:b': [], p1: 1, p2: 2 });
    const view = new StoreView(store, 'pins');
    await view.load(['list:b']);
    const runs: string[] = [];
    const sums = await view.resolveEach(['list:a', 'list:b'], (list) => {
      runs.push(list);
      return (view.get<string[]>(list) ?? []).reduce((sum, pin) => sum + (view.get<number>(pin) ?? 0), 0);
    });
    assert.deepEqual(sums, [3, 0]);
    assert.deepEqual(runs, ['list:a', 'list:b', 'list:a', 'list:a'], 'list:b had all it needed in the first round');
    assert.deepEqual(gets, [['list:b'], ['list:a'], ['p1', 'p2']]);
    assert.throws(() => view.get('p9'), /read before it was loaded/, 'strict again after resolving');
  });

  it('stops after maxRounds with the last results', async () => {
    const { store } = loggingStore({ k0: 'k1', k1: 'k2', k2: 'k3', k3: 'k4' });
    const view = new StoreView(store, 'chain');
    // Each round loads one more link of the chain: the third round follows k0 → k1 → k2 and misses k2.
    const [last] = await view.resolveEach(['k0'], (start) => {
      let key: string | undefined = start;
      for (let next = view.get<string>(key); next !== undefined; next = view.get<string>(next)) key = next;
      return key;
    }, 3);
    assert.equal(last, 'k2');
  });

  it('stage keeps the newest value readable and writes each staged key once, at flush', async () => {
    const { store, puts } = loggingStore({});
    const view = new StoreView(store, 'users');
    await view.load(['u1', 'u2']);
    const f = { n: 0 };
    for (let i = 1; i <= 3; i++) {
      f.n = i;
      view.stage('u1', f);
      assert.equal(view.get<{ n: number }>('u1')?.n, i);
    }
    view.stage('u2', { n: 7 });
    assert.deepEqual(puts, [], 'nothing reaches the store before flush');
    assert.deepEqual(view.flush(), ['u1', 'u2'], 'flush names the keys it wrote');
    assert.deepEqual(puts, [['u1', { n: 3 }], ['u2', { n: 7 }]]);
    assert.deepEqual(view.flush(), []);
    assert.equal(puts.length, 2, 'a second flush writes nothing');
  });
});
