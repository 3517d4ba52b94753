import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { ChangeLoggingStore } from '../../../runtime/state/change-logging-store';
import { ObjectCachingStore } from '../../../runtime/state/object-caching-store';
import { RocksDbStore } from '../../../runtime/state/rocksdb-store';
import { jsonValueSerde } from '../../../runtime/state/serde-json-value';
import { structuredKeySerde } from '../../../runtime/state/serde-structured-key';
import type { StoreSerde } from '../../../runtime/state/store-serde';
import { StateStoreError } from '../../../runtime/state/errors';
import { TaskDatabase } from '../../../runtime/state/task-database';
import { tempStateDir } from './temp-state-dir';

interface Features { clicks: number; seen: string[] }

/** The JSON serde, counting its calls: the point of the layer is how few there are. */
function countingSerde(): StoreSerde<unknown> & { parsed: number; written: number } {
  const serde = {
    parsed: 0,
    written: 0,
    serialize(value: unknown): Buffer { serde.written++; return jsonValueSerde.serialize(value); },
    deserialize(bytes: Buffer): unknown { serde.parsed++; return jsonValueSerde.deserialize(bytes); },
  };
  return serde;
}

describe('ObjectCachingStore (cache: objects)', () => {
  let cleanup: () => Promise<void>;
  let db: TaskDatabase;
  let rocks: RocksDbStore;
  let logged: ChangeLoggingStore;
  let serde: ReturnType<typeof countingSerde>;
  let counts: { reads: number; writes: number; hits: number; misses: number };
  const instruments = {
    reads: (n: number) => { counts.reads += n; },
    writes: (n: number) => { counts.writes += n; },
    hits: (n: number) => { counts.hits += n; },
    misses: (n: number) => { counts.misses += n; },
  };
  const store = (maxEntries = 100) => new ObjectCachingStore<unknown, unknown>(logged, structuredKeySerde, serde, maxEntries, instruments);
  const changelog = () => logged.takeRecords().map((r) => [structuredKeySerde.deserialize(r.key), r.value === null ? null : JSON.parse(r.value.toString())]);

  beforeEach(async () => {
    const t = await tempStateDir();
    cleanup = t.cleanup;
    db = await TaskDatabase.open(join(t.dir, 'rocksdb'));
    rocks = new RocksDbStore('users', db);
    logged = new ChangeLoggingStore(rocks);
    serde = countingSerde();
    counts = { reads: 0, writes: 0, hits: 0, misses: 0 };
  });
  afterEach(async () => {
    await db.close();
    await cleanup();
  });

  it('parses a value once, however often it is read, and returns the object it holds', async () => {
    rocks.put(structuredKeySerde.serialize('u1'), jsonValueSerde.serialize({ clicks: 1, seen: [] }));
    const s = store();
    const first = await s.get('u1');
    const again = await s.getMany(['u1', 'u1', 'absent']);
    assert.deepEqual(first, { clicks: 1, seen: [] });
    assert.equal(again[0], first, 'the same object, not a copy');
    assert.equal(again[2], undefined);
    assert.equal(await s.get('absent'), undefined, 'a missing row is remembered too');
    assert.equal(serde.parsed, 1);
    assert.deepEqual(counts, { reads: 5, writes: 0, hits: 3, misses: 2 });
  });

  it('serializes each written key once per commit, as the object is at the commit', async () => {
    const s = store();
    const f: Features = { clicks: 0, seen: [] };
    for (let i = 0; i < 50; i++) {
      const current = (await s.get('u1')) as Features | undefined ?? f;
      current.clicks++;
      current.seen.push(`p${i}`);
      s.put('u1', current);
    }
    assert.equal(serde.written, 0, 'nothing is serialized before the commit');
    assert.equal(logged.pendingRecords, 0);
    await s.flush();
    assert.equal(serde.written, 1);
    const [[key, value]] = changelog();
    assert.equal(key, 'u1');
    assert.equal((value as Features).clicks, 50);
    assert.equal((value as Features).seen.length, 50);
    await s.flush();
    assert.equal(serde.written, 1, 'a clean cache writes nothing');
    assert.equal(logged.takeRecords().length, 0);
  });

  it('sends deletes down as tombstones and reads them as missing', async () => {
    rocks.put(structuredKeySerde.serialize('u1'), jsonValueSerde.serialize({ clicks: 1 }));
    const s = store();
    s.delete('u1');
    assert.equal(await s.get('u1'), undefined);
    await s.flush();
    assert.deepEqual(changelog(), [['u1', null]]);
  });

  it('writes evicted dirty entries down at once and reads them back from below', async () => {
    const s = store(2);
    s.put('a', { n: 1 });
    s.put('b', { n: 2 });
    s.put('c', { n: 3 });
    assert.equal(s.size, 2);
    assert.equal(serde.written, 1, 'the least recently used entry was serialized when it left');
    assert.deepEqual(await s.get('a'), { n: 1 });
    await s.flush();
    assert.deepEqual(changelog().sort(), [['a', { n: 1 }], ['b', { n: 2 }], ['c', { n: 3 }]]);
  });

  it('scans merge the dirty objects over RocksDB, in key order, with held keys as their objects', async () => {
    for (const [k, v] of [['a', 1], ['b', 2], ['d', 4]] as const) rocks.put(structuredKeySerde.serialize(k), jsonValueSerde.serialize({ v }));
    const s = store();
    const held = await s.get('b');
    s.put('c', { v: 3 });
    s.delete('d');
    const seen: Array<[unknown, unknown]> = [];
    for await (const entry of s.range()) seen.push(entry);
    assert.deepEqual(seen, [['a', { v: 1 }], ['b', { v: 2 }], ['c', { v: 3 }]]);
    assert.equal(seen[1][1], held, 'a held key is answered with its object');
    const prefixed: unknown[] = [];
    for await (const [k] of s.prefixScan('c')) prefixed.push(k);
    assert.deepEqual(prefixed, ['c']);
  });

  it('refuses an undefined value at the put, and names the store and key of a value that fails at the commit', async () => {
    const s = store();
    assert.throws(() => s.put('u1', undefined), /store users: a value must be serializable, got undefined/);
    s.put('u2', { big: 10n });
    await assert.rejects(s.flush(), (error: unknown) => error instanceof StateStoreError
      && /store users: the value of key "u2" cannot be serialized at the commit: .*BigInt/.test(error.message));
  });

  it('keeps a write that lands while a miss is read from RocksDB', async () => {
    rocks.put(structuredKeySerde.serialize('u1'), jsonValueSerde.serialize({ clicks: 1 }));
    const s = store();
    const reading = s.get('u1');
    s.put('u1', { clicks: 7 });
    assert.deepEqual(await reading, { clicks: 7 });
    assert.deepEqual(await s.get('u1'), { clicks: 7 });
  });
});
