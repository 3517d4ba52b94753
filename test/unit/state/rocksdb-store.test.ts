import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { RocksDbStore } from '../../../runtime/state/rocksdb-store';
import { TaskDatabase } from '../../../runtime/state/task-database';
import { collect, tempStateDir } from './temp-state-dir';

const b = (s: string) => Buffer.from(s);
const entries = (list: Array<[Buffer, Buffer]>) => list.map(([k, v]) => [k.toString(), v.toString()]);

describe('RocksDbStore layer', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let db: TaskDatabase;

  beforeEach(async () => {
    ({ dir, cleanup } = await tempStateDir());
    db = await TaskDatabase.open(join(dir, 'rocksdb'));
  });
  afterEach(async () => {
    await db.close();
    await cleanup();
  });

  async function apply(...stores: RocksDbStore[]) {
    const writes = [];
    for (const s of stores) {
      s.sealWrites();
      writes.push(...s.takeWrites());
    }
    await db.write(writes);
    for (const s of stores) s.writesApplied();
    return writes.length;
  }

  it('reads its own buffered writes before they reach RocksDB', async () => {
    const store = new RocksDbStore('s', db);
    store.put(b('k'), b('v1'));
    assert.equal((await store.get(b('k')))?.toString(), 'v1');
    assert.equal(await db.get(Buffer.concat([Buffer.from([1, 0, 1]), b('s'), b('k')])), undefined);
    assert.equal(await apply(store), 1);
    assert.equal((await store.get(b('k')))?.toString(), 'v1');
    store.put(b('k'), null);
    assert.equal(await store.get(b('k')), undefined);
    await apply(store);
    assert.deepEqual(await store.getMany([b('k'), b('x')]), [undefined, undefined]);
  });

  it('keeps stores apart even when one name prefixes another', async () => {
    const a = new RocksDbStore('a', db);
    const ab = new RocksDbStore('ab', db);
    a.put(b('bx'), b('from a'));
    ab.put(b('x'), b('from ab'));
    await apply(a, ab);
    assert.deepEqual(entries(await collect(a.range())), [['bx', 'from a']]);
    assert.deepEqual(entries(await collect(ab.range())), [['x', 'from ab']]);
  });

  it('merges buffered puts and deletes into range scans in key order', async () => {
    const store = new RocksDbStore('s', db);
    for (const k of ['a', 'c', 'e', 'g']) store.put(b(k), b(`old-${k}`));
    await apply(store);
    store.put(b('b'), b('new-b'));
    store.put(b('c'), null);
    store.put(b('e'), b('new-e'));
    store.put(b('h'), b('new-h'));
    assert.deepEqual(entries(await collect(store.range())),
      [['a', 'old-a'], ['b', 'new-b'], ['e', 'new-e'], ['g', 'old-g'], ['h', 'new-h']]);
    assert.deepEqual(entries(await collect(store.range(b('b'), b('g')))), [['b', 'new-b'], ['e', 'new-e']]);
  });

  it('still shows a batch that is being written and keeps it after a failed write for the retry', async () => {
    const store = new RocksDbStore('s', db);
    store.put(b('k'), b('v'));
    store.sealWrites();
    const first = store.takeWrites();
    assert.equal(first.length, 1);
    assert.equal((await store.get(b('k')))?.toString(), 'v');
    store.put(b('k2'), b('v2'));
    store.sealWrites();
    const retry = store.takeWrites();
    assert.equal(retry.length, 2);
  });

  it('keeps writes after a seal out of the sealed batch, and shows both to reads', async () => {
    const store = new RocksDbStore('s', db);
    store.put(b('k'), b('v1'));
    store.sealWrites();
    store.put(b('k'), b('v2'));
    store.put(b('n'), b('next'));
    assert.deepEqual(store.takeWrites().map((w) => w.value?.toString()), ['v1'], 'the sealed batch holds the unit before the seal only');
    assert.equal((await store.get(b('k')))?.toString(), 'v2', 'a read sees the newest write');
    await db.write(store.takeWrites());
    store.writesApplied();
    assert.equal((await store.get(b('k')))?.toString(), 'v2', 'the next unit still shows over the applied batch');
    assert.equal((await store.getCommitted(b('k')))?.toString(), 'v1', 'RocksDB holds only the sealed batch');
    assert.equal(await store.getCommitted(b('n')), undefined);
  });
});
