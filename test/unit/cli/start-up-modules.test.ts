/**
 * What the CLI loads before a command runs. Loading the whole runtime (Kafka client,
 * telemetry SDK, gRPC, ONNX, RocksDB, the registry client) cost ~2 s of CPU here at
 * every start, more than validating most files: the commands that only read topology
 * files must not load it. Each case runs the CLI in a fresh process and lists the
 * packages in Node's module cache when the command has finished.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ExitCode } from '../../../core/exit-code';
import { repoRoot } from '../../helpers/cli-run';

/** Packages of the runtime that validate, describe and `--help` do without. */
const runtimePackages = ['kafkajs', '@opentelemetry/sdk-node', '@grpc/grpc-js', 'onnxruntime-node', 'rocksdb', '@confluentinc/schemaregistry', 'typescript', 'cli-progress'];

/**
 * Runs `tributary ARGS` in a fresh node, as bin/tributary.js does, and returns its exit code and the
 * packages it loaded after the kafkajs patches (which place a few replacement files of kafkajs in
 * the module cache without loading kafkajs).
 */
function loadedPackages(args: readonly string[], env: Record<string, string> = {}): { code: number; packages: Set<string> } {
  const script = `
    require(${JSON.stringify(path.join(repoRoot, 'dist/runtime/kafka/client/kafkajs/kafkajs-patches.js'))});
    const before = new Set(Object.keys(require.cache));
    require(${JSON.stringify(path.join(repoRoot, 'dist/runtime/cli/main.js'))}).main(['node', 'tributary', ...${JSON.stringify(args)}]).then((code) => {
      const packages = new Set(Object.keys(require.cache).filter((f) => !before.has(f)).map((f) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(f)?.[1]).filter(Boolean));
      process.stdout.write('\\n' + JSON.stringify({ code, packages: [...packages] }) + '\\n');
    });`;
  const run = spawnSync(process.execPath, ['-e', script], { cwd: repoRoot, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  const last = run.stdout.trim().split('\n').pop() ?? '';
  assert.ok(last.startsWith('{'), `no result: ${run.stdout}${run.stderr}`);
  const result = JSON.parse(last) as { code: number; packages: string[] };
  return { code: result.code, packages: new Set(result.packages) };
}

describe('CLI start-up modules', function () {
  this.timeout(120_000);

  const cases: Array<{ args: string[]; code: number }> = [
    { args: ['validate', 'examples/branching.yaml'], code: ExitCode.ok },
    { args: ['validate', 'test/fixtures/topologies/invalid/53-yaml-alias-bomb.yaml'], code: ExitCode.pastLimit },
    { args: ['describe', 'examples/branching.yaml'], code: ExitCode.ok },
    { args: ['--help'], code: ExitCode.ok },
  ];
  for (const { args, code } of cases) {
    it(`tributary ${args.join(' ')} loads none of the runtime's packages`, () => {
      const r = loadedPackages(args);
      assert.equal(r.code, code);
      assert.deepEqual(runtimePackages.filter((p) => r.packages.has(p)), []);
    });
  }

  it('the check is not vacuous: run loads the runtime once it has a valid file', () => {
    // Brokers on closed local ports (the fixture of run-unreachable-broker.test.ts): start-up fails after the runtime has loaded.
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-start-up-'));
    let r: ReturnType<typeof loadedPackages>;
    try {
      r = loadedPackages(['run', 'test/fixtures/runtime/unreachable-with-secrets.yaml', '--no-metrics', '--connect-timeout', '1'],
        { SASL_PASSWORD: 'x', REGISTRY_PASSWORD: 'y', STATE_DIR: stateDir, TRIBUTARY_LOG_FORMAT: '' });
    } finally {
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
    assert.equal(r.code, ExitCode.failed);
    assert.ok(r.packages.has('kafkajs'), [...r.packages].join(' '));
    // The registry client's package root also loads its client-side encryption (KMS) drivers and
    // every format's serde: ~0.4 s of each start-up that a topology without them never uses.
    assert.deepEqual(['@azure/identity', '@google-cloud/kms', '@aws-sdk/client-kms', 'node-vault'].filter((p) => r.packages.has(p)), [],
      'run loads no KMS driver');
  });
});
