/** `--env-file FILE` on the commands that interpolate ${VAR} (run, validate, describe, test, reset). */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliBinary, repoRoot } from '../../helpers/cli-run';

const needsTopic = path.join(repoRoot, 'test/fixtures/topologies/invalid/25-env-without-default.yaml');

describe('tributary --env-file', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-env-file-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('fills ${VAR} from the file; a variable set in the environment wins; a missing file is named', () => {
    const envFile = path.join(dir, 'ci.env');
    fs.writeFileSync(envFile, '# values for CI\nTRIBUTARY_FIXTURE_UNSET_TOPIC="events-from-file"\n');
    const without = cliBinary(['validate', needsTopic]);
    assert.equal(without.code, 1, 'the fixture needs the variable');
    const described = cliBinary(['describe', '--env-file', envFile, needsTopic]);
    assert.equal(described.code, 0, described.out + described.err);
    assert.match(described.out, /topic: events-from-file/);
    const overridden = cliBinary(['describe', needsTopic, '--env-file', envFile], { TRIBUTARY_FIXTURE_UNSET_TOPIC: 'events-from-env' });
    assert.match(overridden.out, /topic: events-from-env/);

    const missing = cliBinary(['validate', `--env-file=${path.join(dir, 'absent.env')}`, needsTopic]);
    // Node 20 scans every argument for --env-file and exits 9 itself when the file is missing
    // (before Tributary runs); later Node versions leave it to Tributary (exit 1, input).
    if (Number(process.versions.node.split('.')[0]) <= 20) {
      assert.equal(missing.code, 9, missing.err);
      assert.ok(missing.err.trim().endsWith(`node: ${path.join(dir, 'absent.env')}: not found`), missing.err);
    } else {
      assert.deepEqual([missing.code, missing.err], [1, `tributary: cannot read env file '${path.join(dir, 'absent.env')}': no such file\n`]);
    }
  });
});
