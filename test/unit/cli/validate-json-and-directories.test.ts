/** `tributary validate --format json` and `tributary validate DIR`. */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ValidationReport } from '../../../runtime/cli/validate-command';
import { cliInProcess, repoRoot } from '../../helpers/cli-run';

const valid = path.join(repoRoot, 'examples', 'branching.yaml');
const cycle = path.join(repoRoot, 'test/fixtures/topologies/invalid/13-cycle.yaml');

describe('tributary validate --format json and directories', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-validate-dir-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints one JSON document: every file with its status, every problem with file, line, column, code and message', async () => {
    const missing = path.join(dir, 'missing.yaml');
    const r = await cliInProcess(['validate', '--format', 'json', valid, cycle, missing]);
    assert.equal(r.code, 1);
    assert.equal(r.err, '', 'nothing but the document: stderr stays empty');
    const report = JSON.parse(r.out) as ValidationReport;
    assert.deepEqual(report, {
      valid: false,
      files: [
        { file: valid, status: 'valid' },
        { file: cycle, status: 'invalid' },
        { file: missing, status: 'unreadable', message: `cannot read topology file '${missing}': no such file` },
      ],
      problems: [{ file: cycle, line: 8, column: 20, code: 'cycle', message: 'pipelines form a cycle: a -> b -> a' }],
    });
    const ok = await cliInProcess(['validate', '-f', 'json', valid]);
    assert.deepEqual([ok.code, JSON.parse(ok.out)], [0, { valid: true, files: [{ file: valid, status: 'valid' }], problems: [] }]);
  });

  it('walks a directory: every *.yaml and *.yml under it, sorted, skipping node_modules and hidden folders; the worst file sets the exit code', async () => {
    fs.mkdirSync(path.join(dir, 'nested'));
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.mkdirSync(path.join(dir, '.hidden'));
    fs.copyFileSync(valid, path.join(dir, 'b.yaml'));
    fs.copyFileSync(cycle, path.join(dir, 'nested', 'a.yml'));
    fs.writeFileSync(path.join(dir, 'node_modules', 'x.yaml'), 'not: [a topology');
    fs.writeFileSync(path.join(dir, '.hidden', 'x.yaml'), 'not: [a topology');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'ignored');
    const text = await cliInProcess(['validate', dir]);
    assert.equal(text.code, 1);
    assert.equal(text.out, `${path.join(dir, 'b.yaml')}: valid\n${path.join(dir, 'nested', 'a.yml')}:8:20 cycle pipelines form a cycle: a -> b -> a\n`);
    fs.rmSync(path.join(dir, 'nested'), { recursive: true });
    const clean = await cliInProcess(['validate', '--format', 'json', dir]);
    assert.equal(clean.code, 0);
    assert.deepEqual((JSON.parse(clean.out) as ValidationReport).files, [{ file: path.join(dir, 'b.yaml'), status: 'valid' }]);
  });

  it('refuses a directory without topology files: validating nothing must not pass', async () => {
    const r = await cliInProcess(['validate', dir]);
    assert.deepEqual([r.code, r.err], [1, `tributary: no *.yaml or *.yml files under '${dir}'\n`]);
  });
});
