import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const userModule = path.join(__dirname, '..', '..', '..', 'core', 'user-module.js');

/** Runs `script` in a fresh process with `m` = core/user-module; its stdout as JSON. */
function inChild(script: string): unknown {
  const res = spawnSync(process.execPath, ['-e', `const m = require(${JSON.stringify(userModule)});\n${script}`], { encoding: 'utf8' });
  assert.equal(res.status, 0, res.stderr);
  return JSON.parse(res.stdout);
}

describe('user modules (core/user-module.ts)', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-user-module-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('loads TypeScript through tsx: enums, parameter properties and a relative .ts import, outside the install', () => {
    fs.writeFileSync(path.join(dir, 'helper.ts'), 'export enum Step { One = 1 }\nexport class Box { constructor(private readonly n: number) {} get(): number { return this.n; } }\n');
    fs.writeFileSync(path.join(dir, 'op.ts'), "import { Box, Step } from './helper';\nexport const answer: number = new Box(41).get() + Step.One;\n");
    assert.deepEqual(inChild(`process.stdout.write(JSON.stringify(m.requireUserModule(${JSON.stringify(path.join(dir, 'op.ts'))}).answer));`), 42);
  });

  it('transforms only what it loads: Tributary\'s own require of a .ts file is left as Node made it', () => {
    fs.writeFileSync(path.join(dir, 'op.ts'), 'export const answer: number = 1;\n');
    fs.writeFileSync(path.join(dir, 'other.ts'), 'export const other: number = 2;\n');
    const out = inChild(`m.requireUserModule(${JSON.stringify(path.join(dir, 'op.ts'))});
let plain; try { require(${JSON.stringify(path.join(dir, 'other.ts'))}); plain = 'loaded'; } catch (e) { plain = e.name; }
process.stdout.write(JSON.stringify({ plain, extensions: Object.keys(require.extensions) }));`);
    assert.deepEqual(out, { plain: 'SyntaxError', extensions: ['.js', '.json', '.node'] });
  });

  it('answers `tributary` with this install\'s operator-authoring API, and rxjs from the install', () => {
    fs.writeFileSync(path.join(dir, 'op.ts'), "import { defineOperator, RecordError } from 'tributary';\nimport { map } from 'rxjs';\n"
      + "export const spec = defineOperator({ name: 'probe', summary: 'probe', options: {}, create: () => map((r) => r) });\nexport const kinds = [typeof RecordError, typeof map];\n");
    const out = inChild(`const op = m.requireUserModule(${JSON.stringify(path.join(dir, 'op.ts'))}); process.stdout.write(JSON.stringify({ name: op.spec.name, kinds: op.kinds }));`);
    assert.deepEqual(out, { name: 'probe', kinds: ['function', 'function'] });
  });

  it('reports a TypeScript syntax error with the file and line', () => {
    const file = path.join(dir, 'broken.ts');
    fs.writeFileSync(file, 'export const a = 1;\nexport const b = (;\n');
    const out = inChild(`try { m.requireUserModule(${JSON.stringify(file)}); process.stdout.write('null'); } catch (e) { process.stdout.write(JSON.stringify(e.message)); }`) as string;
    assert.match(out, /broken\.ts:2:\d+/);
  });
});
