/**
 * `tributary run` against brokers that do not answer (closed local ports: no service
 * needed): one clear error naming the brokers within the connection timeout, in text
 * and JSON logs, and no credential of the file in either.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startTributary } from '../../helpers/tributary-process';

const fixture = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'runtime', 'unreachable-with-secrets.yaml');
const env = (stateDir: string) => ({ SASL_PASSWORD: 'sasl-Secret-1', REGISTRY_PASSWORD: 'registry-Secret-2', STATE_DIR: stateDir, TRIBUTARY_LOG_FORMAT: '' });

describe('tributary run with unreachable brokers', function () {
  this.timeout(60_000);
  let stateDir: string;
  beforeEach(() => { stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-unreachable-')); });
  afterEach(() => fs.rmSync(stateDir, { recursive: true, force: true }));

  it('fails with one error naming the brokers, within the connection timeout (text)', async () => {
    const p = startTributary(['run', fixture, '--no-metrics', '--connect-timeout', '2'], env(stateDir));
    assert.equal(await p.exited, 3, p.output()); // failed work (core/exit-code.ts)
    const out = p.output();
    const errors = out.split('\n').filter((l) => / ERROR /.test(l));
    assert.equal(errors.length, 1, out);
    assert.match(errors[0], /cannot connect to Kafka at 127\.0\.0\.1:1, 127\.0\.0\.1:2 within 2 s: Connection error: connect ECONNREFUSED/);
    assert.doesNotMatch(out, /undefined/);
    assert.doesNotMatch(out, /Secret/);
  });

  it('writes JSON lines under --log-format json, still one error and no secret', async () => {
    const p = startTributary(['--log-format', 'json', 'run', fixture, '--no-metrics', '--connect-timeout', '1'], env(stateDir));
    assert.equal(await p.exited, 3, p.output()); // failed work (core/exit-code.ts)
    const entries = p.output().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const e of entries) assert.deepEqual(Object.keys(e).slice(0, 4), ['time', 'level', 'logger', 'message']);
    const errors = entries.filter((e) => e.level === 'error');
    assert.equal(errors.length, 1, p.output());
    assert.match(String(errors[0].error), /KafkaUnreachableError: cannot connect to Kafka at 127\.0\.0\.1:1, 127\.0\.0\.1:2 within 1 s/);
    assert.doesNotMatch(p.output(), /Secret/);
  });

  it('refuses an unknown log format as a usage error', async () => {
    const p = startTributary(['--log-format', 'yaml', 'run', fixture], env(stateDir));
    assert.equal(await p.exited, 2, p.output());
    assert.match(p.output(), /--log-format \(or TRIBUTARY_LOG_FORMAT\) must be 'text' or 'json', not 'yaml'/);
  });
});
