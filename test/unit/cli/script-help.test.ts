/**
 * Every script's `--help` works: bench, fault and example scripts take their options
 * through commander (test/helpers/script-options.ts), never by reading process.argv by
 * hand. The source check covers them all; a few run for real (each start loads the
 * modules of a benchmark, seconds on a busy machine).
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../../helpers/cli-run';

/** Lines that may read process.argv: commander's parse calls and the pre-import kafkajs switch of runtime-overhead. */
const allowed = [
  /parseScriptOptions<.*>\(.*\)/,
  /command\.parse\(process\.argv\)/,
  /parseOptions\(process\.argv\)/,
  /const o = parse\(process\.argv\);/,
  /if \(process\.argv\.includes\('--patched-baseline'\)\) require\(/,
  /process\.argv\.slice\(1\)\.map/, // machine-info: the command line, for the results file
  /command\.parse\(\[\.\.\.argv\]\)/,
];

function scripts(dir: string): string[] {
  return fs.readdirSync(path.join(repoRoot, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => path.join(dir, f));
}

describe('scripts --help', function () {
  this.timeout(120_000);

  it('no bench, fault, helper or example script reads process.argv by hand', () => {
    const offenders: string[] = [];
    for (const file of [...scripts('bench'), ...scripts('test/faults'), ...scripts('test/helpers'), ...scripts('examples')]) {
      fs.readFileSync(path.join(repoRoot, file), 'utf8').split('\n').forEach((line, i) => {
        if (/process\.argv/.test(line) && !allowed.some((a) => a.test(line))) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    assert.deepEqual(offenders, []);
  });

  it('prints usage and exits 0 for --help, exits 2 for an unknown option', () => {
    for (const script of ['dist/bench/state-restore.js', 'dist/test/faults/fault-suite.js', 'dist/examples/home-feed/demo.js']) {
      const help = spawnSync(process.execPath, [script, '--help'], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
      assert.equal(help.status, 0, `${script}: ${help.stderr}`);
      assert.match(help.stdout, /^Usage: (node dist\/|npm run demo)/, script);
      assert.match(help.stdout, /-h, --help/, script);
    }
    const bad = spawnSync(process.execPath, ['dist/bench/state-restore.js', '--keys', 'many'], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
    assert.equal(bad.status, 2, bad.stderr);
    assert.match(bad.stderr, /--keys must be an integer ≥ 1, not 'many'/);
  });
});
