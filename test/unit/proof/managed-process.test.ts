import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagedProcess } from '../../helpers/managed-process';

describe('ManagedProcess', () => {
  const dir = mkdtempSync(join(tmpdir(), 'managed-process-'));

  it('hands stdout lines over, logs them, and reports a clean exit', async () => {
    const lines: string[] = [];
    const logFile = join(dir, 'clean.log');
    const p = new ManagedProcess({ command: process.execPath, args: ['-e', 'console.log("one"); console.log("two")'], logFile, onLine: (l) => lines.push(l) }).start();
    assert.equal(p.current, 'running');
    const exit = await p.exited();
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.equal(p.current, 'exited');
    assert.deepEqual(lines, ['one', 'two']);
    await new Promise((r) => setTimeout(r, 50));
    assert.match(readFileSync(logFile, 'utf8'), /=== .* start: .*\none\ntwo\n=== .* exit code=0 signal=null/);
  });

  it('SIGKILLs a process that would run forever', async () => {
    const p = new ManagedProcess({ command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'], logFile: join(dir, 'kill.log') }).start();
    assert.ok(p.pid! > 0);
    const exit = await p.kill('SIGKILL');
    assert.equal(exit.signal, 'SIGKILL');
    assert.equal(p.current, 'exited');
    assert.deepEqual(await p.kill('SIGKILL'), exit);
  });

  it('refuses to start twice', () => {
    const p = new ManagedProcess({ command: process.execPath, args: ['-e', ''], logFile: join(dir, 'twice.log') }).start();
    assert.throws(() => p.start(), /cannot go from running to running/);
    return p.exited();
  });
});
