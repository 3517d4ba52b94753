import { strict as assert } from 'node:assert';
import { ReadCache, type LoadedValue } from '../../../runtime/state/read-cache';
import { GlobalStore } from '../../../runtime/state/global-store';
import { structuredKeySerde } from '../../../runtime/state/serde-structured-key';
import { jsonValueSerde } from '../../../runtime/state/serde-json-value';
import { tempStateDir } from './temp-state-dir';

const key = (k: string): Buffer => Buffer.from(k);

/** A loader over a map that counts what it was asked. */
function loader(rows: Map<string, unknown>) {
  const asked: string[] = [];
  const load = async (missing: Buffer[]): Promise<LoadedValue[]> => missing.map((k) => {
    asked.push(k.toString());
    const value = rows.get(k.toString());
    return { value: value === undefined ? undefined : structuredClone(value), bytes: value === undefined ? 0 : JSON.stringify(value).length };
  });
  return { asked, load };
}

describe('ReadCache (deserialized values of a global store, kept across reads)', () => {
  it('reads a key once and answers later reads from the kept value, missing rows included', async () => {
    const { asked, load } = loader(new Map([['a', { n: 1 }]]));
    const cache = new ReadCache(1024);
    assert.deepEqual(await cache.getMany([key('a'), key('none')], load), [{ n: 1 }, undefined]);
    assert.deepEqual(await cache.getMany([key('a'), key('none')], load), [{ n: 1 }, undefined]);
    assert.deepEqual(asked, ['a', 'none']);
  });

  it('hands out frozen values, so no reader can change what the others see', async () => {
    const { load } = loader(new Map([['a', { list: [{ p: 1 }] }]]));
    const [value] = await new ReadCache(1024).getMany([key('a')], load) as Array<{ list: Array<{ p: number }> }>;
    assert.throws(() => { value.list[0].p = 2; }, TypeError);
    assert.throws(() => { value.list.push({ p: 3 }); }, TypeError);
  });

  it('leaves arrays of numbers unfrozen: V8 would box each number of a frozen one', async () => {
    const { load } = loader(new Map([['a', { embedding: [0.5, 1.5], labels: ['x'], rows: [[1, 2]] }]]));
    const [value] = await new ReadCache(1024).getMany([key('a')], load) as Array<{ embedding: number[]; labels: string[]; rows: number[][] }>;
    assert.equal(Object.isFrozen(value.embedding), false);
    assert.equal(Object.isFrozen(value.rows[0]), false);
    assert.equal(Object.isFrozen(value.rows), true, 'an array of arrays is frozen');
    assert.equal(Object.isFrozen(value.labels), true);
    assert.equal(Object.isFrozen(value), true);
  });

  it('reads a key again after it was invalidated', async () => {
    const rows = new Map<string, unknown>([['a', 1]]);
    const { asked, load } = loader(rows);
    const cache = new ReadCache(1024);
    await cache.getMany([key('a')], load);
    rows.set('a', 2);
    cache.written([{ key: key('a'), value: null }]);
    assert.deepEqual(await cache.getMany([key('a')], load), [2]);
    assert.deepEqual(asked, ['a', 'a']);
  });

  it('does not keep a value read while its key was written (the read may hold the old one)', async () => {
    const rows = new Map<string, unknown>([['a', 'old']]);
    const cache = new ReadCache(1024);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const slow = cache.getMany([key('a')], async (missing) => {
      const before = missing.map(() => ({ value: rows.get('a'), bytes: 3 }));
      await gate;
      return before;
    });
    rows.set('a', 'new');
    cache.written([{ key: key('a'), value: null }]);
    release();
    assert.deepEqual(await slow, ['old'], 'the read returns what it read');
    const { load } = loader(rows);
    assert.deepEqual(await cache.getMany([key('a')], load), ['new'], 'but did not keep it');
  });

  it('takes a written row\'s decoded value for a key it holds, and leaves keys it does not hold out', async () => {
    const rows = new Map<string, unknown>([['a', { n: 1 }]]);
    const { asked, load } = loader(rows);
    const cache = new ReadCache(1024);
    await cache.getMany([key('a')], load);
    cache.written([
      { key: key('a'), value: Buffer.from('{"n":2}'), decoded: { n: 2, list: [{ p: 1 }] } },
      { key: key('b'), value: Buffer.from('{"n":3}'), decoded: { n: 3 } },
    ]);
    rows.set('b', { n: 3 });
    const [a, b] = await cache.getMany([key('a'), key('b')], load) as Array<{ n: number; list?: Array<{ p: number }> }>;
    assert.deepEqual([a, b], [{ n: 2, list: [{ p: 1 }] }, { n: 3 }]);
    assert.deepEqual(asked, ['a', 'b'], 'a came from the written row; b, not held before, was read');
    assert.throws(() => { a.list![0].p = 2; }, TypeError, 'a decoded value is frozen like a read one');
  });

  it('forgets a held key whose written row has no decoded value, or is a tombstone', async () => {
    const rows = new Map<string, unknown>([['a', 1], ['b', 2]]);
    const { asked, load } = loader(rows);
    const cache = new ReadCache(1024);
    await cache.getMany([key('a'), key('b')], load);
    rows.set('a', 10);
    rows.delete('b');
    cache.written([{ key: key('a'), value: Buffer.from('10') }, { key: key('b'), value: null, decoded: 2 }]);
    assert.deepEqual(await cache.getMany([key('a'), key('b')], load), [10, undefined]);
    assert.deepEqual(asked, ['a', 'b', 'a', 'b']);
  });

  it('does not let a read in flight replace a decoded value written meanwhile', async () => {
    const cache = new ReadCache(1024);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const slow = cache.getMany([key('a')], async () => { await gate; return [{ value: 'old', bytes: 3 }]; });
    // A second read of the key finishes first and keeps it; then the key is written.
    assert.deepEqual(await cache.getMany([key('a')], async () => [{ value: 'fast', bytes: 4 }]), ['fast']);
    cache.written([{ key: key('a'), value: Buffer.from('"new"'), decoded: 'new' }]);
    release();
    assert.deepEqual(await slow, ['old'], 'the slow read returns what it read');
    assert.deepEqual(await cache.getMany([key('a')], async () => [{ value: 'reread', bytes: 6 }]), ['new'], 'and the written value stays');
  });

  it('stays within its bytes, least recently used out first', async () => {
    const rows = new Map<string, unknown>([['a', 'x'.repeat(40)], ['b', 'y'.repeat(40)], ['c', 'z'.repeat(40)]]);
    const { asked, load } = loader(rows);
    const cache = new ReadCache(100); // two values of 42 + 1 bytes each
    await cache.getMany([key('a')], load);
    await cache.getMany([key('b')], load);
    await cache.getMany([key('a')], load); // a is now the most recent
    await cache.getMany([key('c')], load); // b goes
    assert.ok(cache.bytes <= 100);
    asked.length = 0;
    await cache.getMany([key('a'), key('b'), key('c')], load);
    assert.deepEqual(asked, ['b']);
  });

  it('keeps a global store\'s reads current with what its updater applies (real RocksDB)', async () => {
    const { dir, cleanup } = await tempStateDir();
    const store = await GlobalStore.open({ stateDir: dir, appId: 'app', name: 'pins', topic: 'pins-t' });
    try {
      const entry = (k: string, v: unknown) => ({ key: structuredKeySerde.serialize(k), value: v === null ? null : jsonValueSerde.serialize(v) });
      await store.apply([entry('p1', { n: 1 })], [{ partition: 0, offset: '1' }]);
      assert.deepEqual(await store.view.getMany(['p1', 'p2']), [{ n: 1 }, undefined]);
      const first = await store.view.get('p1');
      assert.equal(await store.view.get('p1'), first, 'the same object: read once');
      await store.apply([entry('p1', { n: 2 }), entry('p2', { n: 3 })], [{ partition: 0, offset: '3' }]);
      assert.deepEqual(await store.view.getMany(['p1', 'p2']), [{ n: 2 }, { n: 3 }]);
      const second = await store.view.get('p1');
      await store.apply([{ ...entry('p1', { n: 5 }), decoded: { n: 5 } }], [{ partition: 0, offset: '4' }]);
      const decoded = await store.view.get('p1');
      assert.deepEqual(decoded, { n: 5 });
      assert.notEqual(decoded, second);
      assert.equal(await store.view.get('p1'), decoded, 'the decoded row is what reads get, with no parse');
      await store.apply([entry('p1', null)], [{ partition: 0, offset: '5' }]);
      assert.equal(await store.view.get('p1'), undefined, 'a tombstone is seen');
    } finally {
      await store.close();
      await cleanup();
    }
  });
});
