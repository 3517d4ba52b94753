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
  stateDir: /tmp/x
  commitInterval: \${COMMIT:-250ms}
${body}sinks:
  out:
    topic: "\${PREFIX}-out-$\${not}"
    value: json
    partitions: \${PARTS:-3}
`, file, { env: { PREFIX: 'prod' } });
    assert.deepEqual(problems, []);
    assert.equal(topology?.name, 'app');
    assert.equal(topology?.processing.commitIntervalMs, 250);
    assert.equal(topology?.sinks.out.topic, 'prod-out-${not}');
    assert.equal(topology?.sinks.out.partitions, 3);
  });

  it('resolves YAML aliases and reports unknown anchors', () => {
    const ok = loadTopologyText(`name: app\n${body}sinks:\n  out: {topic: out, value: *fmt}\n`, file, { env: {} });
    assert.deepEqual(ok.problems, []);
    assert.equal(ok.topology?.sinks.out.value.format, 'json');
    const bad = loadTopologyText(`name: app\n${body}sinks:\n  out: {topic: out, value: *nope}\n`, file, { env: {} });
    assert.ok(bad.problems.some((p) => p.kind === 'unknown-reference' && p.line === 7 && p.col === 28 && /anchor 'nope'/.test(p.message)));
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
});
