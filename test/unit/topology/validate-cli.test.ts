import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliInProcess } from '../../helpers/cli-run';
import { lintKinds } from '../../../topology';

const root = path.resolve(__dirname, '../../../..');
const bin = path.join(root, 'bin', 'tributary.js');

const cli = cliInProcess;

/** Deterministic PRNG (mulberry32) so every run feeds the same documents. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const junk = [':', '- ', '{', '}', '[', ']', '"', "'", '\t', '  ', '&a', '*a', '!!int ', '${X', '#', '|', '>', '?', ',', '%', '@', '\\', 'null', '~', '0x', '1e9'];

function mutate(text: string, random: () => number): string {
  const lines = text.split('\n');
  const pick = (n: number) => Math.floor(random() * n);
  const rounds = 1 + pick(3);
  for (let r = 0; r < rounds; r++) {
    const i = pick(lines.length);
    switch (pick(8)) {
      case 0: lines.splice(i, 1); break;
      case 1: lines.splice(i, 0, lines[pick(lines.length)] ?? ''); break;
      case 2: lines[i] = `  ${lines[i]}`; break;
      case 3: lines[i] = (lines[i] ?? '').replace(/^ {1,2}/, ''); break;
      case 4: { const l = lines[i] ?? ''; const at = pick(l.length + 1); lines[i] = l.slice(0, at) + junk[pick(junk.length)] + l.slice(at); break; }
      case 5: { const l = lines[i] ?? ''; const at = pick(l.length + 1); lines[i] = l.slice(0, at) + l.slice(at + 1 + pick(4)); break; }
      case 6: lines[i] = (lines[i] ?? '').replace(/[a-z]+/, (w) => w.split('').reverse().join('')); break;
      default: lines.length = Math.max(1, pick(lines.length)); break;
    }
  }
  return lines.join('\n');
}

describe('tributary validate', () => {
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-validate-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('exits 0 for valid files, 1 for invalid or unreadable ones, 2 for usage errors', async () => {
    const valid = path.join(root, 'examples', 'branching.yaml');
    const invalid = path.join(root, 'test/fixtures/topologies/invalid/13-cycle.yaml');
    assert.deepEqual(await cli(['validate', valid]), { code: 0, out: `${valid}: valid\n`, err: '' });
    const bad = await cli(['validate', valid, invalid]);
    assert.equal(bad.code, 1);
    assert.equal(bad.out, `${valid}: valid\n${invalid}:8:20 cycle pipelines form a cycle: a -> b -> a\n`);
    const missing = await cli(['validate', path.join(dir, 'missing.yaml'), invalid]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /^tributary validate: cannot read topology file '.*missing\.yaml': no such file\n$/);
    const empty = await cli(['validate', dir]);
    assert.deepEqual([empty.code, empty.err], [1, `tributary: no *.yaml or *.yml files under '${dir}'\n`], 'an empty directory validates nothing, so it does not pass');
    assert.equal((await cli(['validate'])).code, 2, 'no file is a usage error');
  });

  it('--skip-env-var-check validates a file whose variables are unset, and still reports everything else', async () => {
    const fixture = path.join(root, 'test/fixtures/topologies/invalid/25-env-without-default.yaml');
    delete process.env.TRIBUTARY_FIXTURE_UNSET_TOPIC;
    assert.equal((await cli(['validate', fixture])).code, 1);
    const skipped = await cli(['validate', '--skip-env-var-check', fixture]);
    assert.deepEqual([skipped.code, skipped.out.trim()], [0, `${fixture}: valid`]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skip-env-'));
    const other = path.join(dir, 'other.yaml');
    fs.writeFileSync(other, fs.readFileSync(fixture, 'utf8').replace('from: events', 'from: event'));
    const still = await cli(['validate', '--skip-env-var-check', other]);
    assert.equal(still.code, 1);
    assert.match(still.out, /:8:11 unknown-reference .*'event'/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('describe prints the graph, lists problems with exit 1, and refuses an unknown format with exit 2', async () => {
    const linear = path.join(root, 'test/fixtures/topologies/valid/linear.yaml');
    const text = await cli(['describe', linear]);
    assert.equal(text.code, 0);
    assert.match(text.out, /^Topology: linear\n/);
    const json = await cli(['describe', linear, '--format', 'json']);
    assert.equal((JSON.parse(json.out) as { name: string }).name, 'linear');
    assert.match((await cli(['describe', linear, '--format', 'mermaid'])).out, /^flowchart LR\n/);
    assert.equal((await cli(['describe', linear, '--format', 'dot'])).code, 2);
    assert.equal((await cli(['describe', path.join(dir, 'missing.yaml')])).code, 1);
    const invalid = await cli(['describe', path.join(root, 'test/fixtures/topologies/invalid/13-cycle.yaml')]);
    assert.equal(invalid.code, 1);
    assert.match(invalid.out, /13-cycle\.yaml:8:20 cycle/);
  });

  it('docs lists every built-in operator with its options', async () => {
    const { code, out } = await cli(['docs']);
    assert.equal(code, 0);
    for (const name of ['filter', 'map', 'flat-map', 'select-key', 'peek', 'branch', 'merge', 'to']) {
      assert.match(out, new RegExp(`### \`${name}\``));
    }
    assert.match(out, /\| `expression` \| expression \| yes \|/);
    const file = path.join(dir, 'docs.md');
    assert.equal((await cli(['docs', '--out', file])).code, 0);
    assert.equal(fs.readFileSync(file, 'utf8'), out);
  });

  it('test runs tests: blocks and fails on a wrong expectation', async () => {
    const ok = await cli(['test', path.join(root, 'examples', 'branching.yaml')]);
    assert.equal(ok.code, 0);
    assert.match(ok.out, /^plan: 1 test in 1 file\nok - .*branching\.yaml:\d+ routes each action to its branch\nsummary: 1 test in 1 file: 1 passed, 0 failed \(\d+\.\d\d s\)\n$/);
    const wrong = path.join(dir, 'wrong.yaml');
    fs.writeFileSync(wrong, fs.readFileSync(path.join(root, 'examples', 'branching.yaml'), 'utf8').replace('kind: hide', 'kind: hidden'));
    const failed = await cli(['test', wrong]);
    assert.equal(failed.code, 1);
    assert.match(failed.out, /not ok - .*wrong\.yaml:\d+ routes each action.*\n {4}signal-out\[1\]\.value: expected/);
  });

  it('answers 300 mutated documents with exit 0 or 1 and only positioned problems, never a crash', async () => {
    const seeds = ['examples/word-count.yaml', 'examples/branching.yaml', 'examples/repartition.yaml', 'test/fixtures/topologies/valid/linear.yaml']
      .map((f) => fs.readFileSync(path.join(root, f), 'utf8'));
    const random = prng(20261125);
    const positioned = new RegExp(`^(.+):(\\d+):(\\d+) (${lintKinds.join('|')}) \\S.*$`);
    const counts = { valid: 0, invalid: 0 };
    for (let i = 0; i < 300; i++) {
      const file = path.join(dir, `mutant-${i}.yaml`);
      const text = mutate(seeds[i % seeds.length], random);
      fs.writeFileSync(file, text);
      const { code, out, err } = await cli(['validate', file]);
      const context = `mutant ${i}:\n${text}\n--- output:\n${out}${err}`;
      assert.equal(err, '', context);
      assert.ok(code === 0 || code === 1, context);
      const lines = out.trimEnd().split('\n');
      if (code === 0) {
        assert.deepEqual(lines, [`${file}: valid`], context);
        counts.valid++;
      } else {
        assert.ok(lines.length > 0, context);
        for (const line of lines) {
          const m = positioned.exec(line);
          assert.ok(m, `not a positioned problem: ${line}\n${context}`);
          assert.equal(m[1], file, context);
          const lineNo = Number(m[2]);
          assert.ok(lineNo >= 1 && lineNo <= text.split('\n').length + 1, `line ${lineNo} outside the file\n${context}`);
          assert.ok(Number(m[3]) >= 1, context);
        }
        counts.invalid++;
      }
    }
    // The mutations must actually break most documents, or the test proves little.
    assert.ok(counts.invalid > 150, JSON.stringify(counts));
    if (process.env.TRIBUTARY_FUZZ_VERBOSE) process.stdout.write(`${JSON.stringify(counts)}\n`);
  });

  it('prints no stack trace from the real binary for broken input', () => {
    const file = path.join(dir, 'broken.yaml');
    fs.writeFileSync(file, 'name: [unclosed\nsources: {a: {topic: t, value: json}\n');
    const run = spawnSync(process.execPath, [bin, 'validate', file], { encoding: 'utf8' });
    assert.equal(run.status, 1);
    assert.equal(run.stderr, '');
    assert.match(run.stdout, /broken\.yaml:\d+:\d+ syntax /);
    assert.doesNotMatch(run.stdout, /\n\s+at /);
  });
});
