import { strict as assert } from 'node:assert';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { builtinOperators } from '../../../operators/registry';
import { formatProblem } from '../../../topology/lint-problem';
import { loadTopologyText } from '../../../topology/topology-loader';

const STATEFUL_AND_TIME = [
  'aggregate', 'aggregate-average', 'aggregate-count', 'aggregate-decayed-count', 'aggregate-decayed-embedding', 'aggregate-distinct-count',
  'aggregate-last-n', 'aggregate-max', 'aggregate-min', 'aggregate-reduce', 'aggregate-sum', 'aggregate-ttl-set',
  'window-tumbling', 'window-hopping', 'window-sliding', 'window-session',
  'table-materialize', 'join-stream-table', 'join-stream-stream', 'join-table-table',
  'event-time', 'top-k', 'emit-on-change', 'debounce', 'throttle', 'dedupe',
];

/*
 * Every operator's documented YAML example must pass the topology checker:
 * the docs are generated from these specs, so a broken example is a broken doc.
 * The example step is placed in a minimal topology with the stores, sinks and
 * modules it names.
 */
describe('stateful and time operator examples', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ops-examples-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('registers every stateful and time operator', () => {
    const names = new Set(builtinOperators.map((s) => s.name));
    assert.deepEqual(STATEFUL_AND_TIME.filter((n) => !names.has(n)), []);
  });

  for (const name of STATEFUL_AND_TIME) {
    it(`${name}: the example validates and every option has a description`, () => {
      const spec = builtinOperators.find((s) => s.name === name)!;
      for (const [option, o] of Object.entries(spec.options)) assert.ok(o.description.length > 10, `${name}.${option} needs a description`);
      const step = (parse(spec.example) as Array<Record<string, unknown>>)[0]!;
      const options = step[name] as Record<string, unknown>;
      const stores = Object.entries(spec.options).filter(([, o]) => o.kind === 'store').map(([k]) => options[k]).filter((v) => typeof v === 'string') as string[];
      const sinks = Object.entries(spec.options).filter(([, o]) => o.kind === 'sink').map(([k]) => options[k]).filter((v) => typeof v === 'string') as string[];
      const modules = [options.module, (options.aggregate as Record<string, unknown> | undefined)?.module].filter((v) => typeof v === 'string') as string[];
      for (const m of modules) {
        mkdirSync(join(dir, m, '..'), { recursive: true });
        writeFileSync(join(dir, m), 'exports.reduce = (a, b) => a; exports.init = () => 0; exports.add = (a) => a;\n');
      }
      // A join's rightTopic must be a topic that feeds the pipeline: the example's gets a source of its own.
      const right = typeof options.rightTopic === 'string' ? options.rightTopic : undefined;
      const text = [
        'name: example',
        'kafka: { brokers: 127.0.0.1:9092 }',
        'sources:',
        '  input: { topic: input, key: string, value: json }',
        ...(right ? [`  right-input: { topic: ${right}, key: string, value: json }`] : []),
        ...(stores.length ? ['stores:', ...stores.map((s) => `  ${s}: {}`)] : []),
        'sinks:',
        '  out: { topic: out, key: json, value: json }',
        ...sinks.map((s) => `  ${s}: { topic: ${s}, value: json }`),
        'pipelines:',
        '  main:',
        `    from: ${right ? '[input, right-input]' : 'input'}`,
        '    steps:',
        ...spec.example.split('\n').map((line) => `      ${line}`),
        '    to: out',
      ].join('\n');
      const loaded = loadTopologyText(text, join(dir, `${name}.yaml`), { env: {} });
      assert.deepEqual(loaded.problems.map(formatProblem), [], text);
    });
  }
});
