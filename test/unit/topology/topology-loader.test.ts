import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadTopology, loadTopologyText, TopologyFileError } from '../../../topology';

const file = path.resolve(__dirname, '../../../../test/fixtures/topologies/inline.yaml');
const body = `sources:
  a: {topic: a, value: &fmt {format: json}}
pipelines:
  p: {from: a, to: out}
`;

describe('loadTopology', () => {
  it('interpolates ${VAR} and ${VAR:-default}, re-types whole placeholders, keeps $${ literal', () => {
    // Block style: inside a flow mapping `{` and `}` are YAML syntax, so a placeholder there needs quotes.
    const { topology, problems } = loadTopologyText(`name: \${APP:-app}
processing:
  stateDir: "/tmp/$\${not}"
  commitInterval: \${COMMIT:-250ms}
${body}sinks:
  out:
    topic: "\${PREFIX}-out"
    value: json
    partitions: \${PARTS:-3}
`, file, { env: { PREFIX: 'prod' } });
    assert.deepEqual(problems, []);
    assert.equal(topology?.name, 'app');
    assert.equal(topology?.processing.commitIntervalMs, 250);
    assert.equal(topology?.sinks.out.topic, 'prod-out');
    assert.equal(topology?.processing.stateDir, '/tmp/${not}');
    assert.equal(topology?.sinks.out.partitions, 3);
  });

  it('resolves YAML aliases and reports unknown anchors', () => {
    const ok = loadTopologyText(`name: app\n${body}sinks:\n  out: {topic: out, value: *fmt}\n`, file, { env: {} });
    assert.deepEqual(ok.problems, []);
    assert.equal(ok.topology?.sinks.out.value.format, 'json');
    const bad = loadTopologyText(`name: app\n${body}sinks:\n  out: {topic: out, value: *nope}\n`, file, { env: {} });
    assert.ok(bad.problems.some((p) => p.kind === 'unknown-reference' && p.line === 7 && p.col === 28 && /anchor 'nope'/.test(p.message)));
  });

  it('expands aliases of aliases, each copy alias-free', () => {
    const { topology, problems } = loadTopologyText(`name: app
sources:
  a: &src {topic: a, value: &fmt {format: json}, key: *fmt}
  b: {topic: b, value: *fmt, key: *fmt}
pipelines:
  p: {from: [a, b], to: [out, out2]}
sinks:
  out: &sink {topic: out, value: *fmt, key: *fmt}
  out2: {topic: out2, value: *fmt}
`, file, { env: {} });
    assert.deepEqual(problems, []);
    assert.equal(topology?.sources.a.key.format, 'json');
    assert.equal(topology?.sinks.out.key.format, 'json');
  });

  it('checks and compiles a chain of 10,000 pipelines without recursion overflowing the stack', () => {
    // A step in every 30th pipeline only: the chain of steps stays within MAX_CHAIN_DEPTH (334 + 2).
    const lines = ['name: chain', 'sources:', '  src: { topic: src, value: json }', 'stores:', '  s: {}', 'pipelines:'];
    const n = 10_000;
    let steps = 0;
    for (let i = 0; i < n; i++) {
      lines.push(`  p${i}:`, `    from: ${i === 0 ? 'src' : `p${i - 1}`}`);
      const step = i === n - 2 ? '        select-key: { expression: value.k }' : i === n - 1 ? '        dedupe: { store: s, within: 1m }' : i % 30 === 0 ? '        filter: { expression: value.x > 1 }' : undefined;
      if (step) { lines.push('    steps:', `      - id: s${i}`, step); steps++; }
    }
    lines.push(`    to: out`, 'sinks:', '  out: { topic: out, value: json }');
    const { topology, problems } = loadTopologyText(lines.join('\n'), file, { env: {} });
    assert.deepEqual(problems, []);
    assert.deepEqual(topology?.repartitionTopics.map((r) => [r.forStep, r.fromSubTopology, r.toSubTopology]), [[`s${n - 1}`, 0, 1]]);
    assert.equal(topology?.subTopologies[0].nodes.length, steps + 1, "the source, every step but the dedupe, the repartition sink");
  });

  it('applies YAML merge keys: own keys win, then earlier merged mappings', () => {
    const text = [
      'name: merges', 'sources:',
      '  a: &base { topic: a, value: json, offsetReset: latest }',
      '  b: &other { topic: other, value: string, onError: skip }',
      '  c: { <<: *base, topic: c }',
      '  d: { <<: [*other, *base], topic: d }',
      'pipelines:', '  p: { from: [a, b, c, d], to: out }', 'sinks:', '  out: { topic: out, value: json }',
    ].join('\n');
    const { topology, problems } = loadTopologyText(text, file, { env: {} });
    assert.deepEqual(problems, []);
    const s = topology!.sources;
    assert.deepEqual([s.c.topic, s.c.value.format, s.c.offsetReset], ['c', 'json', 'latest']);
    assert.deepEqual([s.d.topic, s.d.value.format, s.d.offsetReset, s.d.onError], ['d', 'string', 'latest', 'skip']);
  });

  it('reports a merge key whose value is not a mapping', () => {
    const text = ['name: merges', 'sources:', '  a: { <<: 3, topic: a, value: json }', 'pipelines:', '  p: { from: a, to: out }', 'sinks:', '  out: { topic: out, value: json }'].join('\n');
    assert.deepEqual(loadTopologyText(text, file, { env: {} }).problems.map((p) => [p.line, p.col, p.kind]), [[3, 12, 'wrong-type']]);
  });

  it('refuses files past the size and nesting limits with a positioned limit problem', () => {
    const problemsOf = (text: string): Array<[number, number, string]> => loadTopologyText(text, file, { env: {} }).problems.map((p) => [p.line, p.col, p.kind]);
    assert.deepEqual(problemsOf(`name: x\n# ${'x'.repeat(17 * 1024 * 1024)}\n`), [[1, 1, 'limit']]);
    let nested = 'name: x\nsources:\n';
    for (let i = 0, indent = '  '; i < 250; i++, indent += '  ') nested += `${indent}k${i}:\n`;
    assert.deepEqual(problemsOf(nested), [[202, 401, 'limit']]);
    const flow = `name: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`;
    assert.deepEqual(problemsOf(flow).map(([line, , kind]) => [line, kind]), [[1, 'limit']]);
  });

  it('refuses a billion-laughs file quickly and in bounded memory', () => {
    const levels = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 10; i++) levels.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
    const text = `${levels.join('\n')}\nname: *a9\n`;
    assert.ok(text.length < 1024);
    const heap = process.memoryUsage().heapUsed;
    const started = process.hrtime.bigint();
    const { topology, problems } = loadTopologyText(text, file, { env: {} });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.equal(topology, undefined);
    assert.deepEqual(problems.map((p) => [p.line, p.kind]), [[5, 'limit']]);
    assert.ok(ms < 1000, `took ${ms} ms`);
    assert.ok(process.memoryUsage().heapUsed - heap < 64 * 1024 * 1024, 'heap grew by less than 64 MiB');
  });

  it('fills defaults and splits comma-separated brokers', () => {
    const { topology } = loadTopologyText(`name: app\nkafka: {brokers: "h1:9092, h2:9092"}\n${body}sinks:\n  out: {topic: out, value: json}\n`, file, { env: {} });
    assert.deepEqual(topology?.kafka, { brokers: ['h1:9092', 'h2:9092'], clientId: 'app' });
    assert.equal(topology?.processing.guarantee, 'at_least_once');
    assert.equal(topology?.processing.deadLetterTopic, 'app-dlq');
    assert.deepEqual(topology?.sources.a.key, { format: 'string' });
    assert.deepEqual(topology?.sources.a.timestamp, { kind: 'record' });
  });

  it('throws a TopologyFileError (not a lint problem) for a file it cannot read', () => {
    assert.throws(() => loadTopology(path.join(path.dirname(file), 'does-not-exist.yaml')),
      (err: unknown) => err instanceof TopologyFileError && /no such file/.test(err.message) && err.retriable === false);
  });
  it('names the ends of a long pipeline cycle, and reports each back edge into a chain once', () => {
    // p0 reads p9, p19 and p29: three cycles through one chain.
    const chain = Array.from({ length: 30 }, (_, i) => `  p${i}: { from: [${i === 0 ? 'p29, p9, p19' : `p${i - 1}`}] }`);
    const { problems } = loadTopologyText(['name: cycles', 'pipelines:', ...chain].join('\n'), file, { env: {} });
    assert.deepEqual(problems.filter((p) => p.kind === 'cycle').map((p) => `${p.line}:${p.col} ${p.message}`).sort(), [
      '3:16 pipelines form a cycle of 30 pipelines: p0 -> p1 -> p2 -> p3 -> p4 -> … (20 more) … -> p25 -> p26 -> p27 -> p28 -> p29 -> p0',
      '3:21 pipelines form a cycle: p0 -> p1 -> p2 -> p3 -> p4 -> p5 -> p6 -> p7 -> p8 -> p9 -> p0',
      '3:25 pipelines form a cycle of 20 pipelines: p0 -> p1 -> p2 -> p3 -> p4 -> … (10 more) … -> p15 -> p16 -> p17 -> p18 -> p19 -> p0',
    ]);
  });
});
