/**
 * Custom operators in the user's own repository (issue 20): a topology and its TypeScript
 * operator copied to a temporary folder outside the checkout load and run; the operator
 * resolves packages from its own node_modules first, then from Tributary's install.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadTopology, formatProblem } from '../../../topology';
import { startTributary } from '../../helpers/tributary-process';
import { requireUserModule } from '../../../core/user-module';

const repoRoot = path.join(__dirname, '..', '..', '..', '..');

const probeTopology = `
name: probe
kafka: { brokers: [127.0.0.1:9092] }
sources:
  in: { topic: probe-in, value: json }
pipelines:
  p:
    from: in
    steps:
      - id: probe
        operator: ./probe.ts
    to: out
sinks:
  out: { topic: probe-out, value: json }
`;
const probeOperator = `
import * as rx from 'rxjs';
export const rxjsFrom: string = (rx as unknown as { marker?: string }).marker === 'own' ? 'own' : 'tributary';
export const spec = { name: 'probe', summary: 'probe', options: {}, create: () => rx.map((r: unknown) => r) };
`;

describe('custom operators outside the install directory', function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-user-repo-'));
    dirs.push(dir);
    assert.ok(path.relative(repoRoot, dir).startsWith('..'), 'outside the checkout');
    return dir;
  };
  after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

  it('runs a copy of examples/word-count.yaml and its operator from a temporary folder (tributary test)', async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'operators'));
    fs.copyFileSync(path.join(repoRoot, 'examples', 'word-count.yaml'), path.join(dir, 'word-count.yaml'));
    fs.copyFileSync(path.join(repoRoot, 'examples', 'operators', 'count-by-key.ts'), path.join(dir, 'operators', 'count-by-key.ts'));
    const p = startTributary(['test', path.join(dir, 'word-count.yaml')]);
    assert.equal(await p.exited, 0, p.output());
    assert.doesNotMatch(p.output(), /Cannot find module/);
  });

  it('loads an aggregate module (.ts, relative to the topology file) from another working directory (tributary test)', async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'aggregates'));
    fs.writeFileSync(path.join(dir, 'aggregates', 'count-sum.ts'), `
interface CountSum { count: number; sum: number }
export function init(): CountSum { return { count: 0, sum: 0 }; }
export function add(acc: CountSum, value: number): CountSum { return { count: acc.count + 1, sum: acc.sum + value }; }
`);
    fs.writeFileSync(path.join(dir, 'topology.yaml'), `
name: aggregate-module
kafka: { brokers: [127.0.0.1:9092] }
sources:
  in: { topic: agg-in, key: string, value: json }
stores:
  totals: { kind: key-value }
pipelines:
  p:
    from: in
    steps:
      - id: total
        aggregate:
          store: totals
          field: value.amount
          module: ./aggregates/count-sum.ts
    to: out
sinks:
  out: { topic: agg-out, key: string, value: json }
tests:
  - name: counts and sums per key
    inputs:
      - source: in
        records:
          - { key: a, value: { amount: 2 }, timestamp: 1000 }
          - { key: a, value: { amount: 5 }, timestamp: 2000 }
    expect:
      - sink: out
        records:
          - { key: a, value: { count: 1, sum: 2 } }
          - { key: a, value: { count: 2, sum: 7 } }
`);
    // The child's working directory is the checkout, not the topology's folder.
    assert.notEqual(process.cwd(), dir);
    const p = startTributary(['test', path.join(dir, 'topology.yaml')]);
    assert.equal(await p.exited, 0, p.output());
  });

  it('resolves module options against the topology file at any depth: a rolling aggregate\'s and a window\'s aggregate.module', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'topology.yaml'), `
name: module-paths
kafka: { brokers: [127.0.0.1:9092] }
sources:
  in: { topic: in, key: string, value: json }
stores:
  totals: { kind: key-value }
  windows: { kind: key-value }
pipelines:
  p:
    from: in
    steps:
      - id: total
        aggregate: { store: totals, module: ./aggregates/a.js }
      - id: windowed
        window-tumbling: { store: windows, size: 1m, aggregate: { fn: reduce, module: ./aggregates/r.js } }
    to: out
sinks:
  out: { topic: out, key: string, value: json }
`);
    fs.mkdirSync(path.join(dir, 'aggregates'));
    fs.writeFileSync(path.join(dir, 'aggregates', 'a.js'), 'exports.init = () => 0; exports.add = (a) => a + 1;\n');
    fs.writeFileSync(path.join(dir, 'aggregates', 'r.js'), 'module.exports = (a, b) => a + b;\n');
    const { topology, problems } = loadTopology(path.join(dir, 'topology.yaml'));
    assert.deepEqual(problems.map(formatProblem), []);
    const options = (id: string) => (topology!.nodes[id] as { options: Record<string, unknown> }).options;
    assert.equal(options('total').module, path.join(dir, 'aggregates', 'a.js'));
    assert.equal((options('windowed').aggregate as { module: string }).module, path.join(dir, 'aggregates', 'r.js'));
  });

  it('resolves rxjs from the operator\'s own node_modules first, else from Tributary\'s', () => {
    const withOwn = tempDir();
    fs.mkdirSync(path.join(withOwn, 'node_modules', 'rxjs'), { recursive: true });
    fs.writeFileSync(path.join(withOwn, 'node_modules', 'rxjs', 'package.json'), JSON.stringify({ name: 'rxjs', version: '0.0.0-own', main: 'index.js' }));
    // The user's own rxjs: Tributary's, marked.
    fs.writeFileSync(path.join(withOwn, 'node_modules', 'rxjs', 'index.js'), `module.exports = { ...require(${JSON.stringify(require.resolve('rxjs'))}), marker: 'own' };`);
    const without = tempDir();
    for (const dir of [withOwn, without]) {
      fs.writeFileSync(path.join(dir, 'topology.yaml'), probeTopology);
      fs.writeFileSync(path.join(dir, 'probe.ts'), probeOperator);
      const { problems } = loadTopology(path.join(dir, 'topology.yaml'));
      assert.deepEqual(problems.map(formatProblem), [], dir);
    }
    const loaded = (dir: string) => (requireUserModule(path.join(dir, 'probe.ts')) as { rxjsFrom: string }).rxjsFrom;
    assert.equal(loaded(withOwn), 'own');
    assert.equal(loaded(without), 'tributary');
  });

  it('does the same for a CommonJS .js operator', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'topology.yaml'), probeTopology.replace('./probe.ts', './probe.js'));
    fs.writeFileSync(path.join(dir, 'probe.js'), "const rx = require('rxjs');\nexports.spec = { name: 'probe', summary: 'probe', options: {}, create: () => rx.map((r) => r) };\n");
    const { problems } = loadTopology(path.join(dir, 'topology.yaml'));
    assert.deepEqual(problems.map(formatProblem), []);
  });
});
