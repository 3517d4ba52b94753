/**
 * The topics an application creates besides its sources (runtime/kafka/internal-topics.ts):
 * a sink's `topicConfig:` reaches the topic it creates.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { internalTopics } from '../../../runtime/kafka/internal-topics';
import { planPartitions } from '../../../runtime/kafka/partition-plan';
import { loadTopologyText } from '../../../topology';

function topology(sinks: string): NonNullable<ReturnType<typeof loadTopologyText>['topology']> {
  const loaded = loadTopologyText(`name: topics
sources:
  in: { topic: in-t, key: string, value: json }
  table: { topic: table-t, key: string, value: json }
stores:
  rows: { kind: key-value, global: table }
pipelines:
  main: { from: in, to: [results, table-out] }
sinks:
${sinks}`, path.resolve('topics.yaml'), { env: {} });
  assert.ok(loaded.topology, loaded.problems.map((p) => `${p.line}:${p.col} ${p.message}`).join('; '));
  return loaded.topology;
}

const created = (t: ReturnType<typeof topology>, topic: string) => {
  const sources = new Map([['in-t', 3]]);
  return internalTopics(t, sources, planPartitions(t, sources, new Map())).find((r) => r.topic === topic);
};

describe('internalTopics: sinks', () => {
  it("gives a sink's topicConfig to the topic it creates, as strings (retention.ms: -1 keeps results of old events)", () => {
    const t = topology(`  results: { topic: results-t, value: json, topicConfig: { retention.ms: -1, max.message.bytes: "2097152" } }
  table-out: { topic: table-t, key: string, value: json }
`);
    assert.deepEqual(created(t, 'results-t')?.config, { 'retention.ms': '-1', 'max.message.bytes': '2097152' });
  });

  it("creates a sink without topicConfig with the broker's defaults, and a global store's own topic compacted unless the file says otherwise", () => {
    const plain = topology(`  results: { topic: results-t, value: json }
  table-out: { topic: table-t, key: string, value: json }
`);
    assert.equal(created(plain, 'results-t')?.config, undefined);
    assert.deepEqual(created(plain, 'table-t')?.config, { 'cleanup.policy': 'compact' });
    const both = topology(`  results: { topic: results-t, value: json }
  table-out: { topic: table-t, key: string, value: json, topicConfig: { cleanup.policy: "compact,delete", retention.ms: "86400000" } }
`);
    assert.deepEqual(created(both, 'table-t')?.config, { 'cleanup.policy': 'compact,delete', 'retention.ms': '86400000' });
  });

  it('refuses a topicConfig that is not a mapping of scalar values, at its position', () => {
    const loaded = loadTopologyText(`name: topics
sources:
  in: { topic: in-t, value: json }
pipelines:
  main: { from: in, to: results }
sinks:
  results: { topic: results-t, value: json, topicConfig: { retention.ms: [1] } }
`, path.resolve('topics.yaml'), { env: {} });
    assert.deepEqual(loaded.problems.map((p) => [p.line, p.kind]), [[7, 'wrong-type']]);
  });
});
