import { strict as assert } from 'node:assert';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChangelogBatch, ChangelogReader, ChangelogReadRequest } from '../../../runtime/state/changelog-reader';
import type { ChangelogOffset, ChangelogRecord } from '../../../runtime/state/changelog-record';
import { nextChangelogOffsets } from '../../../runtime/state/next-changelog-offsets';
import type { StoreDefinition } from '../../../runtime/state/store-definition';
import { TaskStores, type TaskStoresOptions } from '../../../runtime/state/task-stores';
import { collect, tempStateDir } from './temp-state-dir';

/** A changelog held in memory: a test double of the Kafka reader, offsets like Kafka's. */
class MemoryChangelog implements ChangelogReader {
  readonly logs = new Map<string, ChangelogRecord[]>();
  readonly requests: ChangelogReadRequest[] = [];

  append(records: readonly ChangelogRecord[]): Array<{ topic: string; partition: number; baseOffset: string }> {
    const sent = new Map<string, { topic: string; partition: number; baseOffset: string }>();
    for (const r of records) {
      const k = `${r.topic}/${r.partition}`;
      const log = this.logs.get(k) ?? [];
      this.logs.set(k, log);
      if (!sent.has(k)) sent.set(k, { topic: r.topic, partition: r.partition, baseOffset: String(log.length) });
      log.push(r);
    }
    return [...sent.values()];
  }

  async read(requests: readonly ChangelogReadRequest[], onBatch: (batch: ChangelogBatch) => Promise<void>): Promise<ChangelogOffset[]> {
    this.requests.push(...requests);
    const ends: ChangelogOffset[] = [];
    for (const req of requests) {
      const log = this.logs.get(`${req.topic}/${req.partition}`) ?? [];
      for (let i = Number(req.fromOffset ?? 0); i < log.length; i += 3) {
        const records = log.slice(i, i + 3).map((r, j) => ({ key: r.key, value: r.value, offset: String(i + j) }));
        await onBatch({ topic: req.topic, partition: req.partition, records });
      }
      ends.push({ topic: req.topic, partition: req.partition, offset: String(log.length) });
    }
    return ends;
  }
}

describe('TaskStores', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempStateDir()));
  afterEach(async () => cleanup());

  const stores: StoreDefinition[] = [
    { name: 'counts', changelog: true },
    { name: 'recent', changelog: true },
    { name: 'scratch', changelog: false },
  ];
  const open = (extra: Partial<TaskStoresOptions> = {}) =>
    TaskStores.open({ stateDir: dir, appId: 'app', taskId: '1_3', stores, ...extra });

  async function commit(t: TaskStores, changelog: MemoryChangelog): Promise<ChangelogRecord[]> {
    const records = await t.flush();
    const sent = changelog.append(records);
    await t.commitApplied(nextChangelogOffsets(records, sent));
    return records;
  }

  it('returns this commit\'s changelog records for the task\'s partition and logged stores only', async () => {
    const t = await open();
    t.keyValueStore('counts').put('a', 1);
    t.keyValueStore('counts').put('a', 2);
    t.keyValueStore('scratch').put('x', 1);
    t.keyValueStore('recent').put('a', 'v');
    const records = await t.flush();
    assert.deepEqual(records.map((r) => [r.topic, r.partition]), [['app-counts-changelog', 3], ['app-recent-changelog', 3]]);
    assert.deepEqual(await t.flush(), [], 'a second flush has nothing new');
    assert.deepEqual(t.changelogPartitions(), [
      { store: 'counts', topic: 'app-counts-changelog', partition: 3 },
      { store: 'recent', topic: 'app-recent-changelog', partition: 3 },
    ]);
    await t.close();
  });

  it('logs every write when the cache is off', async () => {
    const t = await TaskStores.open({ stateDir: dir, appId: 'app', taskId: '0_0', stores: [{ name: 'c', changelog: true, cache: 'none' }] });
    for (let i = 0; i < 5; i++) t.keyValueStore('c').put('hot', i);
    assert.equal((await t.flush()).length, 5);
    await t.close();
  });

  it('cache: objects: a value read back is the object put, written once per commit, and restored from the changelog', async () => {
    const changelog = new MemoryChangelog();
    const objects = [{ name: 'users', changelog: true, cache: 'objects' as const }];
    const t = await TaskStores.open({ stateDir: dir, appId: 'app', taskId: '1_3', stores: objects });
    const users = t.keyValueStore<string, { clicks: number }>('users');
    const f = { clicks: 0 };
    for (let i = 0; i < 5; i++) {
      f.clicks++;
      users.put('u1', f);
    }
    assert.equal(await users.get('u1'), f, 'the object itself, not a parsed copy');
    const records = await commit(t, changelog);
    assert.deepEqual(records.map((r) => JSON.parse(r.value!.toString())), [{ clicks: 5 }], 'one record, the value at the commit');
    await t.close();
    const wiped = await TaskStores.open({ stateDir: dir, appId: 'app', taskId: '1_3', stores: objects });
    await wiped.wipe();
    const again = await TaskStores.open({ stateDir: dir, appId: 'app', taskId: '1_3', stores: objects });
    await again.restore(changelog);
    assert.deepEqual(await again.keyValueStore('users').get('u1'), { clicks: 5 });
    await again.close();
  });

  it('format: structured-clone: values written in V8\'s format (Maps and typed arrays survive), read back in either format', async () => {
    const changelog = new MemoryChangelog();
    const as = (format: 'json' | 'structured-clone', cache: 'bytes' | 'objects' = 'objects') => [{ name: 'users', changelog: true, cache, format }];
    const t = await TaskStores.open({ stateDir: dir, appId: 'app', taskId: '1_3', stores: as('structured-clone') });
    const value = { seen: new Map([['p1', 2]]), vector: new Float32Array([0.5, 1.5]), big: 10n };
    t.keyValueStore('users').put('u1', value);
    const records = await commit(t, changelog);
    assert.equal(records[0].value![0], 0xff, "V8's version tag, not JSON text");
    await t.close();
    // The same store declared json again: it reads what structured-clone wrote, and writes JSON.
    const wiped = await TaskStores.open({ stateDir: dir, appId: 'app', taskId: '1_3', stores: as('json', 'bytes') });
    await wiped.wipe();
    const back = await TaskStores.open({ stateDir: dir, appId: 'app', taskId: '1_3', stores: as('json', 'bytes') });
    await back.restore(changelog);
    assert.deepEqual(await back.keyValueStore('users').get('u1'), value, 'restored from the changelog with its Map, typed array and BigInt');
    back.keyValueStore('users').put('u2', { n: 1 });
    const written = await commit(back, changelog);
    assert.equal(written[0].value!.toString(), '{"n":1}');
    await back.close();
    const switched = await TaskStores.open({ stateDir: dir, appId: 'app', taskId: '1_3', stores: as('structured-clone') });
    assert.deepEqual(await switched.keyValueStore('users').getMany(['u1', 'u2']), [value, { n: 1 }], 'each value read in the format it was written in');
    await switched.close();
  });

  it('writes the checkpoint after a commit and restores only what follows it', async () => {
    const changelog = new MemoryChangelog();
    const t = await open();
    const kv = t.keyValueStore<string, number>('counts');
    for (let i = 0; i < 10; i++) kv.put(`k${i}`, i);
    await commit(t, changelog);
    const checkpoint = JSON.parse(await readFile(join(dir, 'app', '1_3', '.checkpoint'), 'utf8'));
    assert.deepEqual(checkpoint.offsets, [{ topic: 'app-counts-changelog', partition: 3, offset: '10' }]);
    await t.close();

    // Another instance moved the changelog on while this task was elsewhere.
    changelog.append([{ topic: 'app-counts-changelog', partition: 3, key: Buffer.from([0x20, 0x6b, 0x30, 0]), value: Buffer.from('100') }]);
    const again = await open();
    assert.equal(again.localState, 'checkpointed');
    const [summary] = await again.restore(changelog);
    assert.equal(changelog.requests.at(-2)?.fromOffset, '10');
    assert.deepEqual([summary.records, summary.endOffset], [1, '11']);
    assert.equal(await again.keyValueStore('counts').get('k0'), 100);
    assert.equal(await again.keyValueStore('counts').get('k9'), 9);
    await again.close();
  });

  it('restores a wiped task to the same contents from its changelog', async () => {
    const changelog = new MemoryChangelog();
    const t = await open();
    const kv = t.keyValueStore<string, number>('counts');
    const w = t.keyValueStore<string, string>('recent');
    for (let i = 0; i < 50; i++) kv.put(`k${i % 20}`, i);
    kv.delete('k3');
    w.put('u@60000', 'one');
    w.put('u@120000', 'two');
    await commit(t, changelog);
    kv.put('k4', -4);
    await commit(t, changelog);
    const expected = await collect(kv.range());
    const expectedRecent = await collect(w.range());
    await t.wipe();

    const fresh = await open();
    assert.equal(fresh.localState, 'new');
    assert.equal(await fresh.keyValueStore('counts').get('k4'), undefined);
    const summaries = await fresh.restore(changelog);
    assert.deepEqual(summaries.map((s) => [s.store, s.fromOffset, s.endOffset]), [['counts', undefined, '21'], ['recent', undefined, '2']]);
    assert.deepEqual(await collect(fresh.keyValueStore('counts').range()), expected);
    assert.equal(expected.length, 19);
    assert.deepEqual(await collect(fresh.keyValueStore('recent').range()), expectedRecent);
    assert.equal(expectedRecent.length, 2);
    await fresh.close();
  });

  for (const guarantee of ['at_least_once', 'exactly_once'] as const) {
    it(`leaves RocksDB at the checkpoint after a crash between flush and commit (${guarantee})`, async () => {
      const changelog = new MemoryChangelog();
      const t = await open({ processingGuarantee: guarantee });
      t.keyValueStore('counts').put('committed', 1);
      await commit(t, changelog);
      t.keyValueStore('counts').put('uncommitted', 2);
      t.keyValueStore('counts').put('committed', 3);
      await t.flush();
      // Crash: the commit never happens, commitApplied never runs.
      await t.close();
      const reopened = await open({ processingGuarantee: guarantee });
      assert.equal(reopened.localState, 'checkpointed');
      await reopened.restore(changelog);
      assert.equal(await reopened.keyValueStore('counts').get('committed'), 1);
      assert.equal(await reopened.keyValueStore('counts').get('uncommitted'), undefined);
      await reopened.close();
    });
  }

  it('wipes state whose write batch a crash interrupted under exactly_once (dirty marker)', async () => {
    const changelog = new MemoryChangelog();
    const t = await open({ processingGuarantee: 'exactly_once' });
    t.keyValueStore('counts').put('committed', 1);
    await commit(t, changelog);
    await t.close();
    await writeFile(join(dir, 'app', '1_3', '.dirty'), 'x');
    const reopened = await open({ processingGuarantee: 'exactly_once' });
    assert.equal(reopened.localState, 'wiped-dirty');
    await reopened.restore(changelog);
    assert.equal(await reopened.keyValueStore('counts').get('committed'), 1);
    await reopened.close();
  });

  it('keeps clean state under exactly_once and dirty state under at_least_once', async () => {
    const changelog = new MemoryChangelog();
    const t = await open({ processingGuarantee: 'exactly_once' });
    t.keyValueStore('scratch').put('local', 1);
    await commit(t, changelog);
    await t.close();
    const clean = await open({ processingGuarantee: 'exactly_once' });
    assert.equal(clean.localState, 'checkpointed');
    assert.equal(await clean.keyValueStore('scratch').get('local'), 1);
    clean.keyValueStore('scratch').put('local', 2);
    await commit(clean, changelog);
    await clean.close();
    await writeFile(join(dir, 'app', '1_3', '.dirty'), 'x');
    const alos = await open();
    assert.equal(alos.localState, 'checkpointed');
    assert.equal(await alos.keyValueStore('scratch').get('local'), 2);
    await alos.close();
  });

  it('wipes data without a checkpoint and data with a corrupt one', async () => {
    const t = await open();
    t.keyValueStore('counts').put('a', 1);
    await t.flush();
    await t.close();
    const noCheckpoint = await open();
    assert.equal(noCheckpoint.localState, 'wiped-no-checkpoint');
    assert.equal(await noCheckpoint.keyValueStore('counts').get('a'), undefined);
    await noCheckpoint.commitApplied([]);
    await noCheckpoint.close();
    await writeFile(join(dir, 'app', '1_3', '.checkpoint'), '{"version":1,"offsets":[{"topic":"t"');
    const corrupt = await open();
    assert.equal(corrupt.localState, 'wiped-corrupt');
    await corrupt.close();
  });

  it('names what is wrong with bad options and unknown stores', async () => {
    await assert.rejects(TaskStores.open({ stateDir: dir, appId: '../x', taskId: '0_1', stores }), /appId "..\/x" must be/);
    await assert.rejects(TaskStores.open({ stateDir: dir, appId: 'a', taskId: 'task', stores }), /pass options.partition/);
    await assert.rejects(TaskStores.open({ stateDir: dir, appId: 'a', taskId: '0_1', stores: [stores[0], stores[0]] }), /defined twice/);
    const t = await open();
    assert.throws(() => t.keyValueStore('nope'), /has no store "nope" \(stores: counts, recent, scratch\)/);
    await t.close();
    await assert.rejects(t.flush(), /cannot flush while closed/);
  });
});
