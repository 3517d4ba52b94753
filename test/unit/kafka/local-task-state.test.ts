import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { localTaskState } from '../../../runtime/kafka/local-task-state';
import { RUNNING_HERE } from '../../../runtime/kafka/client/task-assignment';

describe('localTaskState (what a process reports of its task state at a join)', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'local-task-state-'));
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  function taskDir(id: string, checkpoint?: unknown, dirty = false): void {
    const dir = path.join(root, id);
    fs.mkdirSync(path.join(dir, 'rocksdb'), { recursive: true });
    if (checkpoint !== undefined) fs.writeFileSync(path.join(dir, '.checkpoint'), typeof checkpoint === 'string' ? checkpoint : JSON.stringify(checkpoint));
    if (dirty) fs.writeFileSync(path.join(dir, '.dirty'), '1');
  }

  before(() => {
    taskDir('1_0', { version: 1, offsets: [{ topic: 'a', partition: 0, offset: '40' }, { topic: 'b', partition: 0, offset: '2' }] });
    taskDir('1_1', { version: 1, offsets: [{ topic: 'a', partition: 1, offset: '7' }] }, true);
    taskDir('1_2');
    taskDir('1_3', 'not json');
    taskDir('1_4', { version: 1, offsets: [{ topic: 'a', partition: 4, offset: '9' }] });
    fs.mkdirSync(path.join(root, 'global-x'));
  });

  it('sums the checkpointed offsets of task directories, skipping those a task would wipe', () => {
    assert.deepEqual(localTaskState(root, [], new Map(), true), { '1_0': 42, '1_4': 9 });
    assert.deepEqual(localTaskState(root, [], new Map(), false), { '1_0': 42, '1_1': 7, '1_4': 9 });
  });

  it('marks running tasks and takes the fresher of a standby copy and the directory', () => {
    assert.deepEqual(localTaskState(root, ['1_4', '2_0'], new Map([['1_0', 50], ['1_5', 3]]), true), { '1_0': 50, '1_4': RUNNING_HERE, '1_5': 3, '2_0': RUNNING_HERE });
  });

  it('holds nothing when the state directory does not exist yet', () => {
    assert.deepEqual(localTaskState(path.join(root, 'missing'), [], new Map(), false), {});
  });
});
