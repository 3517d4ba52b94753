import { strict as assert } from 'node:assert';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
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

/*
 * A store is one step's namespace: operators write `s|`, `t|` and `m|` keys
 * with no step prefix, so two steps writing one store would share entries,
 * timers and stream time. Every store option that may write (all but
 * `access: 'read'`) must therefore be refused when a second step names it.
 */
describe('stateful operators: one writer per store', () => {
  it('no built-in operator writes a store together with other steps (access: shared is for custom operators)', () => {
    const shared = builtinOperators.flatMap((spec) => Object.entries(spec.options).filter(([, o]) => o.access === 'shared').map(([k]) => `${spec.name}.${k}`));
    assert.deepEqual(shared, []);
  });

  for (const spec of builtinOperators) {
    const writes = Object.entries(spec.options).filter(([, o]) => o.kind === 'store' && (o.access ?? 'read-write') === 'read-write').map(([k]) => k);
    if (writes.length === 0) continue;
    it(`${spec.name}: a second step writing the example's store is a validate error at its store option`, () => {
      const step = (parse(spec.example) as Array<Record<string, unknown>>)[0]!;
      const options = step[spec.name] as Record<string, unknown>;
      // An optional store the example leaves out (top-k's stateless form) is filled in.
      for (const k of writes) options[k] ??= `${spec.name}-${k}`;
      const written = writes.map((k) => options[k] as string);
      const read = Object.entries(spec.options).filter(([, o]) => o.kind === 'store' && o.access === 'read').map(([k]) => options[k]).filter((v) => typeof v === 'string') as string[];
      const sinks = Object.entries(spec.options).filter(([, o]) => o.kind === 'sink').map(([k]) => options[k]).filter((v) => typeof v === 'string') as string[];
      const lines = stringify([step, { ...structuredClone(step), id: `${String(step.id)}-again` }]).trimEnd().split('\n');
      const text = [
        'name: shared',
        'sources:',
        '  input: { topic: input, key: string, value: json }',
        'stores:', ...[...new Set([...written, ...read])].map((s) => `  ${s}: {}`),
        'sinks:',
        '  out: { topic: out, key: json, value: json }',
        ...sinks.map((s) => `  ${s}: { topic: ${s}, value: json }`),
        'pipelines:',
        '  main:',
        '    from: input',
        '    steps:',
        ...lines.map((line) => `      ${line}`),
        '    to: out',
      ].join('\n');
      const loaded = loadTopologyText(text, join(tmpdir(), `${spec.name}-shared.yaml`), { env: {} });
      const duplicates = loaded.problems.filter((p) => p.kind === 'duplicate');
      assert.deepEqual(duplicates.map((p) => p.message.replace(/ \(line.*/, '')), written.map((s) => `store '${s}' already holds the state of step '${String(step.id)}'`), text);
      const stepLine = text.split('\n').findIndex((l) => l.includes('-again')) + 1;
      assert.ok(duplicates.every((p) => p.line > stepLine), 'reported at the second step\'s store option');
    });
  }
});
