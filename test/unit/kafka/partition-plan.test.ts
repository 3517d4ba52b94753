import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { loadTopologyText } from '../../../topology';
import { partitionsReadAtOnce, planPartitions } from '../../../runtime/kafka/partition-plan';
import { ConfigError } from '../../../core/errors';

const file = path.resolve(__dirname, '../../../../test/fixtures/topologies/inline.yaml');

/** Clicks re-keyed by campaign, counted, and joined with a campaigns table (one task reads both). */
function topology(partitionsLine = ''): ReturnType<typeof loadTopologyText>['topology'] & object {
  const { topology, problems } = loadTopologyText(`name: ads
sources:
  clicks: { topic: clicks, value: json }
  campaigns: { topic: campaigns, value: json }
stores:
  campaign-info: { kind: key-value }
  per-ip: { kind: key-value }
pipelines:
  table:
    from: campaigns
    steps:
      - { id: remember, table-materialize: { store: campaign-info } }
  by-ip:
    from: clicks
    steps:
      - { id: ip-key, select-key: { expression: value.ip } }
      - { id: count-ip, aggregate-count: { store: per-ip, into: n }${partitionsLine ? `, partitions: ${partitionsLine}` : ''} }
      - { id: by-campaign, select-key: { expression: value.campaign } }
      - { id: with-campaign, join-stream-table: { table: campaign-info, into: campaign } }
    to: out
sinks:
  out: { topic: out, value: json }
`, file, { env: {} });
  assert.deepEqual(problems, []);
  return topology!;
}

describe('planPartitions (co-partitioning at start-up)', () => {
  it("gives a join's repartition topic the partition count of the table it meets, and the key format of that table's topic", () => {
    const t = topology();
    const join = t.repartitionTopics.find((r) => r.forStep === 'with-campaign')!;
    assert.equal(join.keySource, 'campaigns');
    assert.equal(join.key.format, 'string');
    const count = t.repartitionTopics.find((r) => r.forStep === 'count-ip')!;
    assert.equal(count.key.format, 'json', 'no user topic to meet: JSON keys');
    const plan = planPartitions(t, new Map([['clicks', 6], ['campaigns', 3]]), new Map());
    assert.equal(plan.repartition.get(join.topic), 3);
    assert.equal(plan.repartition.get(count.topic), 6, 'the most partitions of its upstream');
  });

  it('counts every input partition of the application: a slot each for batches running at once', () => {
    const t = topology();
    const plan = planPartitions(t, new Map([['clicks', 6], ['campaigns', 3]]), new Map());
    // clicks (6 tasks), the count behind its key change (6), the join reading campaigns and its repartition topic (3 tasks of 2 topics).
    assert.deepEqual(t.subTopologies.map((s) => `${plan.tasks.get(s.id)}x${s.sourceTopics.length}`).sort(), ['3x2', '6x1', '6x1']);
    assert.equal(partitionsReadAtOnce(t, plan.tasks), 18);
  });

  it('takes an explicit partitions: for a repartition topic that meets no user topic', () => {
    const t = topology('4');
    const plan = planPartitions(t, new Map([['clicks', 6], ['campaigns', 3]]), new Map());
    assert.equal(plan.repartition.get(t.repartitionTopics.find((r) => r.forStep === 'count-ip')!.topic), 4);
  });

  it('refuses an existing repartition topic with another partition count, saying how to reset', () => {
    const t = topology();
    const join = t.repartitionTopics.find((r) => r.forStep === 'with-campaign')!;
    assert.throws(() => planPartitions(t, new Map([['clicks', 6], ['campaigns', 3]]), new Map([[join.topic, 6]])),
      (e: unknown) => e instanceof ConfigError && e.message.includes(`${join.topic} has 6 partitions but the application needs 3`) && /delete the topic/.test(e.message));
  });

  it('refuses user topics of one task with different partition counts, naming each', () => {
    const { topology: t } = loadTopologyText(`name: j
sources:
  a: { topic: ta, value: json }
  b: { topic: tb, value: json }
stores:
  s: { kind: key-value }
pipelines:
  pa: { from: a, steps: [ { id: m, table-materialize: { store: s } } ] }
  pb: { from: b, steps: [ { id: j, join-stream-table: { table: s, into: x } } ], to: out }
sinks:
  out: { topic: out, value: json }
`, file, { env: {} });
    assert.throws(() => planPartitions(t!, new Map([['ta', 3], ['tb', 6]]), new Map()),
      (e: unknown) => e instanceof ConfigError && e.message.includes('ta (3 partitions), tb (6 partitions)'));
  });

  it("reports partitions: on a step that gets no repartition topic (a setting that would do nothing)", () => {
    const { problems } = loadTopologyText(`name: j
sources:
  a: { topic: ta, value: json }
pipelines:
  p: { from: a, steps: [ { id: f, filter: { expression: 'true' }, partitions: 3 } ], to: out }
sinks:
  out: { topic: out, value: json }
`, file, { env: {} });
    assert.equal(problems.length, 1);
    assert.equal(problems[0].kind, 'option');
    assert.equal(problems[0].line, 5);
    assert.match(problems[0].message, /step 'f' gets no repartition topic/);
  });
});
