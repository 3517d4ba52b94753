/**
 * The exit-code table (core/exit-code.ts, docs/operations.md#exit-codes) for every
 * command: one case per command through the real binary (the code a shell or CI sees),
 * the rest of each command's rows in process. No services needed: the failures that
 * need one (code 3) point at closed local ports.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ExitCode } from '../../../core/exit-code';
import { cliBinary, cliInProcess, repoRoot } from '../../helpers/cli-run';

const valid = path.join(repoRoot, 'examples', 'branching.yaml');
const invalid = path.join(repoRoot, 'test/fixtures/topologies/invalid/13-cycle.yaml');
const pastLimit = path.join(repoRoot, 'test/fixtures/topologies/invalid/53-yaml-alias-bomb.yaml');

describe('tributary exit codes', function () {
  this.timeout(240_000);
  let dir: string;
  let missing: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-exit-codes-'));
    missing = path.join(dir, 'missing.yaml');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('through the real binary, one case per command', () => {
    it('a missing topology file is wrong input (1) for run, validate, describe, test and reset alike', () => {
      for (const command of ['run', 'validate', 'describe', 'test', 'reset']) {
        const r = cliBinary([command, missing]);
        assert.equal(r.code, ExitCode.invalidInput, `${command}: ${r.out}${r.err}`);
        assert.match(r.out + r.err, /cannot read topology file '.*missing\.yaml': no such file/, command);
        assert.doesNotMatch(r.err, /\n\s+at /, `${command} printed a stack trace`);
      }
    });

    it('services: an unknown service name is a usage error (2) naming the valid ones, not bash\'s 127', () => {
      const r = cliBinary(['services', 'start', 'zookeeper']);
      assert.equal(r.code, ExitCode.usage, r.err);
      assert.equal(r.err, "tributary services: unknown service 'zookeeper' (valid: kafka, registry)\n");
    });

    it('validate: a file past a limit (an alias bomb) is refused with 4, apart from an invalid one (1)', () => {
      const r = cliBinary(['validate', pastLimit]);
      assert.equal(r.code, ExitCode.pastLimit, r.out + r.err);
      assert.match(r.out, /53-yaml-alias-bomb\.yaml:\d+:\d+ limit /);
    });

    it('top: an endpoint that does not answer is failed work (3)', () => {
      const r = cliBinary(['top', '--once', '--interval', '0.1', '--url', 'http://127.0.0.1:1']);
      assert.equal(r.code, ExitCode.failed, r.out + r.err);
      assert.match(r.err, /^tributary top: /);
    });

    it('generate and evaluate: a missing held-out destination is a usage error (2)', () => {
      const generate = cliBinary(['generate', '--brokers', '127.0.0.1:1', '--no-progress']);
      assert.equal(generate.code, ExitCode.usage, generate.err);
      assert.match(generate.err, /held-out engagements need --holdout-topic or --holdout-file/);
      const evaluate = cliBinary(['evaluate', '--brokers', '127.0.0.1:1']);
      assert.equal(evaluate.code, ExitCode.usage, evaluate.err);
      assert.match(evaluate.err, /give --holdout-file or --holdout-topic/);
    });

    it('worker: a bad port is a usage error (2) before any model loads', () => {
      const r = cliBinary(['worker', '--model', dir, '--port', 'abc']);
      assert.equal(r.code, ExitCode.usage, r.err);
      assert.equal(r.err, "error: option '--port <n>' argument 'abc' is invalid. Expected an integer from 0 to 65535.\n");
    });

    it('docs: a page that cannot be written is failed work (3)', () => {
      const blocker = path.join(dir, 'a-file');
      fs.writeFileSync(blocker, '');
      const r = cliBinary(['docs', '--out', path.join(blocker, 'docs.md')]);
      assert.equal(r.code, ExitCode.failed, r.err);
      assert.match(r.err, /^tributary docs: cannot write '.*docs\.md': (ENOTDIR|EEXIST)\n$/);
    });

    it('reset: brokers that do not answer are failed work (3), after the topology loaded', () => {
      const topology = path.join(repoRoot, 'test/fixtures/runtime/unreachable-with-secrets.yaml');
      const r = cliBinary(['reset', topology, '--dry-run', '--connect-timeout', '1'], { SASL_PASSWORD: 'x', REGISTRY_PASSWORD: 'y', STATE_DIR: dir });
      assert.equal(r.code, ExitCode.failed, r.out + r.err);
      assert.match(r.err, /cannot connect to Kafka at 127\.0\.0\.1:1, 127\.0\.0\.1:2 within 1 s/);
    });
  });

  describe('in process, the other rows', () => {
    const codes = async (args: string[]) => (await cliInProcess(args)).code;

    it('0 for --help and --version, 2 for an unknown command or option', async () => {
      assert.equal(await codes(['--version']), ExitCode.ok);
      assert.equal(await codes(['validate', '--help']), ExitCode.ok);
      assert.equal(await codes(['frobnicate']), ExitCode.usage);
      assert.equal(await codes(['validate', '--frobnicate', valid]), ExitCode.usage);
    });

    it('validate: 0 valid, 1 invalid, 2 no file or a bad --format, 4 past a limit', async () => {
      assert.equal(await codes(['validate', '-q', valid]), ExitCode.ok);
      assert.equal(await codes(['validate', valid, invalid]), ExitCode.invalidInput);
      assert.equal(await codes(['validate', invalid, pastLimit, valid]), ExitCode.pastLimit, 'the worst file decides: past a limit over invalid');
      assert.equal(await codes(['validate']), ExitCode.usage);
      assert.equal(await codes(['validate', '--format', 'xml', valid]), ExitCode.usage);
    });

    it('describe: 0 valid, 1 invalid, 2 an unknown format', async () => {
      assert.equal(await codes(['describe', valid]), ExitCode.ok);
      assert.equal(await codes(['describe', invalid]), ExitCode.invalidInput);
      assert.equal(await codes(['describe', pastLimit]), ExitCode.pastLimit);
      assert.equal(await codes(['describe', valid, '--format', 'dot']), ExitCode.usage);
    });

    it('test: 0 passed, 1 an invalid file, 2 an unknown reporter', async () => {
      assert.equal(await codes(['test', valid]), ExitCode.ok);
      assert.equal(await codes(['test', valid, invalid]), ExitCode.invalidInput);
      assert.equal(await codes(['test', valid, pastLimit]), ExitCode.pastLimit);
      assert.equal(await codes(['test', '--reporter', 'xunit', valid]), ExitCode.usage);
    });

    it('run and reset: 1 for an invalid topology, 2 for bad options, before any connection', async () => {
      assert.equal(await codes(['run', invalid]), ExitCode.invalidInput);
      assert.equal(await codes(['run', valid, '--topics', 'maybe']), ExitCode.usage);
      assert.equal(await codes(['run', valid, '--connect-timeout', '-1']), ExitCode.usage);
      assert.equal(await codes(['reset', invalid]), ExitCode.invalidInput);
      assert.equal(await codes(['run', pastLimit]), ExitCode.pastLimit);
      assert.equal(await codes(['reset', pastLimit]), ExitCode.pastLimit);
      assert.equal(await codes(['reset', valid, '--to-earliest', '--to-latest']), ExitCode.usage);
      assert.equal(await codes(['reset', valid, '--to-datetime', 'yesterday']), ExitCode.usage);
    });

    it('services and top: 2 for an unknown action or a URL that is not one', async () => {
      assert.equal(await codes(['services', 'restart']), ExitCode.usage);
      assert.equal(await codes(['services', 'status', 'kafka', 'zk']), ExitCode.usage);
      assert.equal(await codes(['top', '--url', 'not a url', '--once']), ExitCode.usage);
    });

    it('generate and evaluate: 2 for a bad option value', async () => {
      assert.equal(await codes(['generate', '--total', 'many']), ExitCode.usage);
      assert.equal(await codes(['evaluate', '--k', '0']), ExitCode.usage);
    });
  });
});
