import { strict as assert } from 'node:assert';
import { TaskStores } from '../../../runtime/state/task-stores';
import { join } from 'node:path';
import { TaskDatabase } from '../../../runtime/state/task-database';
import type { StoreDefinition } from '../../../runtime/state/store-definition';
import { collect, tempStateDir } from './temp-state-dir';

const MIN = 60_000;

describe('window store', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempStateDir()));
  afterEach(async () => cleanup());

  const open = (def: Partial<StoreDefinition> = {}) => TaskStores.open({
    stateDir: dir, appId: 'app', taskId: '0_0',
    stores: [{ name: 'w', kind: 'window', changelog: true, retentionMs: 10 * MIN, segmentMs: MIN, ...def }],
  });

  for (const cache of [true, false]) {
    it(`fetches one key's windows in a time range, oldest first (cache ${cache ? 'on' : 'off'})`, async () => {
      const stores = await open({ cache });
      const w = stores.windowStore<string, number>('w');
      w.put('u', 3 * MIN, 3);
      w.put('u', 1 * MIN, 1);
      w.put('v', 2 * MIN, 20);
      w.put('u', 2 * MIN, 2);
      // A key whose bytes extend 'u' must not leak into u's windows.
      w.put('u\u0000', 2 * MIN, 99);
      const before = await w.fetch('u', 0, 10 * MIN);
      await stores.flush();
      w.put('u', 4 * MIN, 4);
      assert.deepEqual(before.map((e) => e.value), [1, 2, 3]);
      assert.deepEqual((await w.fetch('u', 2 * MIN, 4 * MIN)).map((e) => [e.windowStartMs / MIN, e.value]), [[2, 2], [3, 3], [4, 4]]);
      assert.equal(await w.get('v', 2 * MIN), 20);
      assert.deepEqual(await w.getMany([['u', MIN], ['v', MIN]]), [1, undefined]);
      const all = await collect(w.fetchAll(2 * MIN, 3 * MIN));
      assert.deepEqual(all.map((e) => [e.key, e.windowStartMs / MIN, e.value]), [['u', 2, 2], ['u', 3, 3], ['u\u0000', 2, 99], ['v', 2, 20]]);
      await stores.close();
    });
  }

  it('drops windows older than stream time minus retention, on read and on disk', async () => {
    const stores = await open();
    const w = stores.windowStore<string, number>('w');
    for (let m = 0; m < 5; m++) w.put('k', m * MIN, m);
    await stores.flush();
    w.observeStreamTime(13 * MIN);
    assert.equal(w.streamTime, 13 * MIN);
    assert.deepEqual((await w.fetch('k', 0, 20 * MIN)).map((e) => e.value), [3, 4], 'windows before minute 3 expired');
    assert.equal(w.put('k', 2 * MIN, 22), false, 'an expired window is not written');
    await stores.flush();
    await stores.commitApplied([]);
    await stores.close();

    const reopened = await open();
    const w2 = reopened.windowStore<string, number>('w');
    assert.equal(w2.streamTime, 13 * MIN, 'stream time survives a restart');
    assert.deepEqual((await w2.fetch('k', 0, 20 * MIN)).map((e) => e.value), [3, 4]);
    await reopened.close();
    // Segments below minute 3 are gone from RocksDB, not just hidden: count the data keys on disk.
    const db = await TaskDatabase.open(join(dir, 'app', '0_0', 'rocksdb'));
    const onDisk = await collect(db.iterate(Buffer.from([0x01]), Buffer.from([0x02])));
    await db.close();
    assert.equal(onDisk.length, 2);
  });

  it('logs window keys as key bytes + 8-byte window start', async () => {
    const stores = await open();
    stores.windowStore<string, number>('w').put('k', 5 * MIN, 1);
    const [record] = await stores.flush();
    assert.equal(record.topic, 'app-w-changelog');
    assert.equal(record.key.readUInt32BE(record.key.length - 4), 5 * MIN);
    await stores.close();
  });

  it('refuses a window store without retention', async () => {
    await assert.rejects(open({ retentionMs: undefined }), /needs retentionMs/);
  });
});
