import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { ChangeLoggingStore } from '../../../runtime/state/change-logging-store';
import { RocksDbStore } from '../../../runtime/state/rocksdb-store';
import { TaskDatabase } from '../../../runtime/state/task-database';
import { tempStateDir } from './temp-state-dir';

const b = (s: string) => Buffer.from(s);

describe('ChangeLoggingStore layer', () => {
  let cleanup: () => Promise<void>;
  let db: TaskDatabase;

  beforeEach(async () => {
    const t = await tempStateDir();
    cleanup = t.cleanup;
    db = await TaskDatabase.open(join(t.dir, 'rocksdb'));
  });
  afterEach(async () => {
    await db.close();
    await cleanup();
  });

  it('logs every write in order, tombstones as null, and passes it down', async () => {
    const rocks = new RocksDbStore('s', db);
    const logged = new ChangeLoggingStore(rocks);
    logged.put(b('k'), b('1'));
    logged.put(b('k'), b('2'));
    logged.put(b('j'), null);
    assert.equal(logged.pendingRecords, 3);
    assert.equal((await rocks.get(b('k')))?.toString(), '2');
    const records = logged.takeRecords();
    assert.deepEqual(records.map((r) => [r.key.toString(), r.value?.toString() ?? null]), [['k', '1'], ['k', '2'], ['j', null]]);
    assert.deepEqual(logged.takeRecords(), []);
  });

  it('logs nothing for reads', async () => {
    const logged = new ChangeLoggingStore(new RocksDbStore('s', db));
    await logged.get(b('k'));
    await logged.getMany([b('a'), b('b')]);
    for await (const _ of logged.range()) { /* drain */ }
    assert.equal(logged.pendingRecords, 0);
  });
});
