import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { CachingStore } from '../../../runtime/state/caching-store';
import { ChangeLoggingStore } from '../../../runtime/state/change-logging-store';
import { RocksDbStore } from '../../../runtime/state/rocksdb-store';
import { TaskDatabase } from '../../../runtime/state/task-database';
import { collect, tempStateDir } from './temp-state-dir';

const b = (s: string) => Buffer.from(s);

describe('CachingStore layer', () => {
  let cleanup: () => Promise<void>;
  let db: TaskDatabase;
  let rocks: RocksDbStore;
  let logged: ChangeLoggingStore;
  let counts: { hits: number; misses: number };
  const listener = { hits: (n: number) => { counts.hits += n; }, misses: (n: number) => { counts.misses += n; } };

  beforeEach(async () => {
    const t = await tempStateDir();
    cleanup = t.cleanup;
    db = await TaskDatabase.open(join(t.dir, 'rocksdb'));
    rocks = new RocksDbStore('s', db);
    logged = new ChangeLoggingStore(rocks);
    counts = { hits: 0, misses: 0 };
  });
  afterEach(async () => {
    await db.close();
    await cleanup();
  });

  it('turns many writes to a hot key into one changelog record per flush', async () => {
    const cache = new CachingStore(logged, 100, listener);
    for (let i = 0; i < 1000; i++) cache.put(b('hot'), b(String(i)));
    assert.equal(logged.pendingRecords, 0, 'nothing reaches the changelog before the flush');
    await cache.flush();
    const records = logged.takeRecords();
    assert.deepEqual(records.map((r) => [r.key.toString(), r.value?.toString()]), [['hot', '999']]);
    await cache.flush();
    assert.equal(logged.takeRecords().length, 0, 'a clean cache flushes nothing');
  });

  it('serves repeated reads from memory and counts hits and misses', async () => {
    rocks.put(b('k'), b('v'));
    const cache = new CachingStore(logged, 100, listener);
    assert.equal((await cache.get(b('k')))?.toString(), 'v');
    assert.equal((await cache.get(b('k')))?.toString(), 'v');
    assert.deepEqual((await cache.getMany([b('k'), b('absent')])).map((v) => v?.toString()), ['v', undefined]);
    assert.deepEqual(counts, { hits: 2, misses: 2 });
  });

  it('writes dirty entries down when the least recently used leave a full cache', async () => {
    const cache = new CachingStore(logged, 2);
    cache.put(b('a'), b('1'));
    cache.put(b('b'), b('2'));
    await cache.get(b('a'));
    cache.put(b('c'), b('3'));
    assert.equal(cache.size, 2);
    assert.deepEqual(logged.takeRecords().map((r) => r.key.toString()), ['b'], 'b was least recently used');
    assert.equal((await cache.get(b('b')))?.toString(), '2', 'the evicted value is still readable below');
  });

  it('merges unflushed writes and deletes into range scans', async () => {
    rocks.put(b('a'), b('1'));
    rocks.put(b('c'), b('3'));
    const cache = new CachingStore(logged, 100);
    cache.put(b('b'), b('2'));
    cache.put(b('c'), null);
    const got = (await collect(cache.range())).map(([k, v]) => [k.toString(), v.toString()]);
    assert.deepEqual(got, [['a', '1'], ['b', '2']]);
  });

  it('merges only the unflushed writes inside a bounded range, before and after a flush', async () => {
    rocks.put(b('a'), b('1'));
    rocks.put(b('c'), b('3'));
    rocks.put(b('e'), b('5'));
    const cache = new CachingStore(logged, 100);
    cache.put(b('b'), b('2'));
    cache.put(b('d'), b('4'));
    cache.put(b('c'), null);
    cache.put(b('f'), b('6'));
    const scan = async () => (await collect(cache.range(b('b'), b('e')))).map(([k, v]) => `${k.toString()}=${v.toString()}`);
    assert.deepEqual(await scan(), ['b=2', 'd=4'], 'a..e bounds: f is outside, c deleted');
    await cache.flush();
    cache.put(b('bb'), b('x'));
    assert.deepEqual(await scan(), ['b=2', 'bb=x', 'd=4'], 'flushed writes come from below, a new one from the cache');
  });

  it('lets a write that lands during a multi-get win over the value read', async () => {
    rocks.put(b('k'), b('old'));
    const cache = new CachingStore(logged, 100);
    const pending = cache.getMany([b('k')]);
    cache.put(b('k'), b('new'));
    assert.equal((await pending)[0]?.toString(), 'new');
    assert.equal((await cache.get(b('k')))?.toString(), 'new');
  });
});
