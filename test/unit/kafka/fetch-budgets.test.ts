import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { loadTopologyText } from '../../../topology';
import { planPartitions } from '../../../runtime/kafka/partition-plan';
import { repartitionFetchBudgets } from '../../../runtime/kafka/fetch-budgets';

const file = path.resolve(__dirname, '../../../../test/fixtures/topologies/inline.yaml');
const BASE = 32 * 1024;

/** Clicks and views (two sub-topologies once re-keyed) counted per key; `partitions` sets the counting step's. */
function topology(partitions: string) {
  const { topology, problems } = loadTopologyText(`name: ads
sources:
  clicks: { topic: clicks, value: json }
  views: { topic: views, value: json }
stores:
  per-user: { kind: key-value }
pipelines:
  both:
    from: [clicks, views]
    steps:
      - { id: by-user, select-key: { expression: value.user } }
      - { id: count, aggregate-count: { store: per-user, into: n }${partitions} }
    to: out
sinks:
  out: { topic: out, value: json }
`, file, { env: {} });
  assert.deepEqual(problems, []);
  return topology!;
}

describe('repartitionFetchBudgets (fan-in repartition topics fetch more per partition)', () => {
  it('gives a 1-partition topic written by 6 tasks six times the base', () => {
    const t = topology(', partitions: 1');
    const plan = planPartitions(t, new Map([['clicks', 6], ['views', 6]]), new Map());
    assert.equal(plan.repartition.get('ads-count-repartition'), 1);
    assert.deepEqual([...repartitionFetchBudgets(t, plan, BASE)], [['ads-count-repartition', 6 * BASE]]);
  });

  it('rounds a partial share up (6 writer tasks into 4 partitions: 2 shares)', () => {
    const t = topology(', partitions: 4');
    const plan = planPartitions(t, new Map([['clicks', 6], ['views', 6]]), new Map());
    assert.deepEqual([...repartitionFetchBudgets(t, plan, BASE)], [['ads-count-repartition', 2 * BASE]]);
  });

  it('leaves topics without a fan-in at the base (as many partitions as writer tasks, or more)', () => {
    for (const partitions of ['', ', partitions: 6', ', partitions: 12']) {
      const t = topology(partitions);
      const plan = planPartitions(t, new Map([['clicks', 6], ['views', 6]]), new Map());
      assert.deepEqual([...repartitionFetchBudgets(t, plan, BASE)], [], `partitions${partitions || ' from upstream'}`);
    }
  });
});
