import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { transpileCacheDir } from '../../../core/user-module';

const userModule = path.join(__dirname, '..', '..', '..', 'core', 'user-module.js');

/** Loads `file` with requireUserModule in a fresh process: its export `answer`, and whether the compiler loaded. */
function loadInChild(file: string, cacheDir: string): { answer: unknown; compilerLoaded: boolean } {
  const script = `const m = require(${JSON.stringify(userModule)}).requireUserModule(${JSON.stringify(file)});
process.stdout.write(JSON.stringify({ answer: m.answer, compilerLoaded: Object.keys(require.cache).some((k) => /node_modules[\\\\/]typescript[\\\\/]/.test(k)) }));`;
  const res = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, TRIBUTARY_CACHE_DIR: cacheDir }, encoding: 'utf8' });
  assert.equal(res.status, 0, res.stderr);
  return JSON.parse(res.stdout) as { answer: unknown; compilerLoaded: boolean };
}

describe('user modules (core/user-module.ts)', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-user-module-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('transpiles a .ts module once: a later start loads it from the cache without the compiler, a changed source is transpiled again', () => {
    const file = path.join(dir, 'op.ts');
    const cache = path.join(dir, 'cache');
    fs.writeFileSync(file, 'const n: number = 41;\nexport const answer = n + 1;\n');
    assert.deepEqual(loadInChild(file, cache), { answer: 42, compilerLoaded: true });
    assert.equal(fs.readdirSync(path.join(cache, 'ts')).filter((f) => f.endsWith('.js')).length, 1);
    assert.deepEqual(loadInChild(file, cache), { answer: 42, compilerLoaded: false });
    fs.writeFileSync(file, 'export const answer: string = "changed";\n');
    assert.deepEqual(loadInChild(file, cache), { answer: 'changed', compilerLoaded: true });
  });

  it('still loads when the cache cannot be written', () => {
    const file = path.join(dir, 'op.ts');
    fs.writeFileSync(file, 'export const answer = 7;\n');
    const blocked = path.join(dir, 'not-a-dir');
    fs.writeFileSync(blocked, '');
    assert.deepEqual(loadInChild(file, blocked), { answer: 7, compilerLoaded: true });
  });

  it('keeps the cache under TRIBUTARY_CACHE_DIR, else XDG_CACHE_HOME, else ~/.cache', () => {
    assert.equal(transpileCacheDir({ TRIBUTARY_CACHE_DIR: '/c' }), path.join('/c', 'ts'));
    assert.equal(transpileCacheDir({ XDG_CACHE_HOME: '/x' }), path.join('/x', 'tributary', 'ts'));
    assert.equal(transpileCacheDir({}), path.join(os.homedir(), '.cache', 'tributary', 'ts'));
  });
});
