import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { TopologyTestDriver } from '../../../runtime/processing/topology-test-driver';
import { HomeFeedGenerator, type GeneratedEvent } from '../../../examples/home-feed/generate/home-feed-generator';
import { POSITIVE_ACTIONS, type EngagementEvent, type RecommendationEvent } from '../../../examples/home-feed/generate/home-feed-events';
import { evaluatePrequential, formatEvaluationReport } from '../../../examples/home-feed/evaluate/prequential-evaluation';
import { startRankerPool } from '../../../examples/home-feed/home-feed-replay';
import { contentHash } from '../../../examples/home-feed/lib/feed-assembly';
import type { ScoringPool } from '../../../runtime/scoring/scoring-pool';

const TOPOLOGY = path.resolve(__dirname, '..', '..', '..', '..', 'examples', 'home-feed', 'topology.yaml');

/**
 * The flagship topology on a small generated stream, through the topology
 * test driver with real RocksDB stores and the real scoring pool (ONNX on
 * CPU): no Kafka, so it lives with the integration tests for its cost only.
 */
describe('home-feed topology (test driver, real stores and scoring pool)', function () {
  this.timeout(600_000);
  let pool: ScoringPool;
  let driver: TopologyTestDriver;
  const engagements: EngagementEvent[] = [];
  const holdout: EngagementEvent[] = [];
  const recommendations: RecommendationEvent[] = [];

  before(async () => {
    const started = await startRankerPool(1);
    pool = started.pool;
    driver = await TopologyTestDriver.open(TOPOLOGY, { scoring: pool, env: { ...process.env, RANKER_DIR: path.resolve(__dirname, '..', '..', '..', '..', 'examples', 'home-feed', 'model', 'ranker') } });
    const events = [...new HomeFeedGenerator({ seed: 5, totalEvents: 6000, users: 120, initialPins: 200, interests: 8 }).events()];
    let batch: GeneratedEvent[] = [];
    // What Kafka does between the index task and the global store: its published entries fill
    // the store after the batch that changed them (the driver does not loop a sink back).
    const publishPinFeatures = async (): Promise<void> => {
      const entries = driver.readOutput('pin-features-out');
      if (entries.length > 0) await driver.pipe('pin-features', entries.map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp })));
    };
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const source = batch[0].kind === 'image' ? 'images' : 'engagements';
      await driver.pipe(source, batch.map((e) => ({ key: e.key, value: e.value, timestamp: e.timestamp })));
      batch = [];
      await publishPinFeatures();
      for (const r of driver.readOutput('recommendations')) recommendations.push(r.value as RecommendationEvent);
    };
    for (const e of events) {
      if (e.kind === 'holdout') {
        holdout.push(e.value);
        continue;
      }
      if (e.kind === 'engagement') engagements.push(e.value);
      if (batch.length > 0 && (batch[0].kind !== e.kind || batch.length >= 100)) await flush();
      batch.push(e);
    }
    await flush();
    await driver.advanceStreamTime(events[events.length - 1].timestamp + 60_000);
    await publishPinFeatures();
    for (const r of driver.readOutput('recommendations')) recommendations.push(r.value as RecommendationEvent);
  });

  after(async () => {
    await driver?.close();
    await pool?.close();
  });

  it('fails no record', () => {
    assert.deepEqual(driver.failures.map((f) => String(f.error)).slice(0, 3), []);
  });

  it('emits recommendations for every user with a few positive actions, 25 items each at most', () => {
    const positives = new Map<string, number>();
    for (const e of engagements) if (POSITIVE_ACTIONS.has(e.action)) positives.set(e.userId, (positives.get(e.userId) ?? 0) + 1);
    const active = [...positives].filter(([, n]) => n >= 3).map(([u]) => u);
    const served = new Set(recommendations.map((r) => r.userId));
    assert.ok(active.length >= 20, `only ${active.length} active users`);
    assert.deepEqual(active.filter((u) => !served.has(u)), []);
    for (const r of recommendations) assert.ok(r.items.length > 0 && r.items.length <= 25, `${r.userId} v${r.version}: ${r.items.length} items`);
  });

  it('never recommends a pin the user hid before the update', () => {
    const hidden = engagements.filter((e) => e.action === 'hide');
    for (const r of recommendations) {
      const pins = new Set(r.items.map((i) => i.pinId));
      const leaked = hidden.filter((h) => h.userId === r.userId && h.eventTime <= r.eventTime && pins.has(h.pinId));
      assert.deepEqual(leaked.map((h) => h.pinId), [], `${r.userId} v${r.version} lists hidden pins`);
    }
    assert.ok(hidden.length > 10, 'the stream should contain hides');
  });

  it('numbers each user\'s updates 1, 2, 3, ... in order, with a hash that matches the list', () => {
    const last = new Map<string, number>();
    for (const r of recommendations) {
      assert.equal(r.version, (last.get(r.userId) ?? 0) + 1, `${r.userId}: version ${r.version} after ${last.get(r.userId)}`);
      last.set(r.userId, r.version);
      assert.equal(r.contentHash, contentHash(r.items));
    }
  });

  it('publishes every pin-index entry: the global store pin-features ends equal to the index task\'s store', async () => {
    const entries = async (name: string): Promise<Map<string, string>> => {
      const out = new Map<string, string>();
      for await (const [k, v] of driver.store<string, unknown>(name).range()) out.set(k, JSON.stringify(v));
      return out;
    };
    const index = await entries('pin-index');
    const published = await entries('pin-features');
    assert.ok(index.size > 200, `only ${index.size} index entries`);
    assert.deepEqual([...index.keys()].filter((k) => published.get(k) !== index.get(k)).slice(0, 5), []);
    assert.equal(published.size, index.size);
  });

  it('names a retrieval source for every item and uses more than one source', () => {
    const sources = new Set(recommendations.flatMap((r) => r.items.map((i) => i.source)));
    for (const s of sources) assert.ok(['interest', 'coengagement', 'label', 'fresh', 'popular'].includes(s), s);
    assert.ok(sources.size >= 3, [...sources].join(','));
  });

  it('beats the decayed-popularity baseline on HitRate@25 and NDCG@25 of held-out engagements', () => {
    const report = evaluatePrequential({ engagements, holdout, recommendations, ks: [10, 25] });
    process.stdout.write(`${formatEvaluationReport(report)}\n`);
    assert.ok(report.targets >= 30, `only ${report.targets} held-out targets`);
    const [, flagship25] = report.flagship;
    const [, baseline25] = report.baseline;
    assert.ok(flagship25.hitRate > 1.3 * baseline25.hitRate, `HitRate@25 ${flagship25.hitRate} vs baseline ${baseline25.hitRate}`);
    assert.ok(flagship25.ndcg > baseline25.ndcg, `NDCG@25 ${flagship25.ndcg} vs baseline ${baseline25.ndcg}`);
  });
});
