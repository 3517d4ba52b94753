import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { APP_NODE_FLAGS } from '../../../runtime/cli/node-flags';

const root = path.resolve(__dirname, '..', '..', '..', '..');
const read = (file: string): string => fs.readFileSync(path.join(root, file), 'utf8');

/*
 * The V8 flags of an application process are given where a process starts, in files no import
 * reaches: each launcher is read here and must pass exactly runtime/cli/node-flags.ts's list.
 */
describe('node flags of an application process', () => {
  const flags = APP_NODE_FLAGS.join(' ');

  it('bin/tributary.js passes them in its shebang, so `tributary` started from a shell gets them', () => {
    assert.equal(read('bin/tributary.js').split('\n')[0], `#!/usr/bin/env -S node ${flags}`);
  });

  it('the container image starts the processor with them', () => {
    const entrypoint = /^FROM \S+ AS processor$[\s\S]*?^ENTRYPOINT (\[.*\])$/m.exec(read('deploy/Dockerfile'));
    assert.ok(entrypoint, 'the processor stage has an ENTRYPOINT');
    assert.deepEqual(JSON.parse(entrypoint[1]), ['node', ...APP_NODE_FLAGS, '/app/bin/tributary.js']);
  });

  it('npm run demo starts the demo with them', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    assert.match(scripts.demo, new RegExp(`&& node ${flags.replace(/[-=]/g, '\\$&')} dist/examples/home-feed/demo\\.js$`));
  });

  it('they are flags this node accepts at start (a process that gets them runs)', () => {
    const res = spawnSync(process.execPath, [...APP_NODE_FLAGS, '-e', 'process.exit(0)'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(res.status, 0, res.stderr);
  });
});
