import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { evaluateFromKafka } from '../../../examples/home-feed/commands/evaluate-command';
import { formatEvaluationReport } from '../../../examples/home-feed/evaluate/prequential-evaluation';
import { KafkajsClient } from '../../../runtime/kafka/client/kafkajs/kafkajs-client';
import { POSITIVE_ACTIONS, type EngagementEvent, type RecommendationEvent } from '../../../examples/home-feed/generate/home-feed-events';
import { KAFKA_BROKERS, REGISTRY_URL, requireKafka, requireRegistry, testKafka } from '../../helpers/services';
import { FlagshipRun } from '../../helpers/flagship-run';

/**
 * The flagship on 6 partitions with two processes of one application (two
 * members of its group, each with its own state directory, in this process):
 * every task sees every pin through the pin-features global store, and each
 * user's updates come from the one task that holds the user.
 */
describe('home-feed flagship on 6 partitions with 2 processes', function () {
  this.timeout(600_000);
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'home-feed-2p-'));
  const holdoutFile = path.join(stateDir, 'holdout.jsonl');
  const flagship = new FlagshipRun(`home-feed-${randomUUID().slice(0, 8)}`, stateDir);
  const { topics, appId } = flagship;
  let recommendations: RecommendationEvent[] = [];
  let engagements: EngagementEvent[] = [];

  before(async () => {
    await requireKafka();
    await requireRegistry();
    ({ recommendations, engagements } = await flagship.runToEnd(2,
      ['--holdout-file', holdoutFile, '--total', '4000', '--users', '100', '--pins', '200', '--interests', '8', '--seed', '9', '--rate', '200'], 300_000));
  });

  after(() => flagship.close());

  it('reads and writes 6 partitions', async () => {
    const admin = await new KafkajsClient(testKafka()).admin();
    try {
      const counts = await admin.partitionCounts([topics.engagements, topics.images, `${appId}-pin-features`]);
      assert.deepEqual([...counts.values()], [6, 6, 6]);
    } finally {
      await admin.close();
    }
  });

  it('has a recommendation list for every user with a few positive actions', () => {
    const positives = new Map<string, number>();
    for (const e of engagements) if (POSITIVE_ACTIONS.has(e.action)) positives.set(e.userId, (positives.get(e.userId) ?? 0) + 1);
    const active = [...positives].filter(([, n]) => n >= 3).map(([u]) => u);
    const served = new Set(recommendations.map((r) => r.userId));
    assert.ok(active.length >= 20, `only ${active.length} active users`);
    assert.deepEqual(active.filter((u) => !served.has(u)), []);
  });

  it('loses no update: each user\'s versions are 1..n without a gap, never going backwards in the topic', () => {
    const seen = new Map<string, number[]>();
    for (const r of recommendations) {
      const versions = seen.get(r.userId) ?? [];
      const version = Number(r.version);
      assert.ok(version >= (versions[versions.length - 1] ?? 0), `${r.userId}: version ${version} after ${versions[versions.length - 1]}`);
      versions.push(version);
      seen.set(r.userId, versions);
    }
    for (const [userId, versions] of seen) {
      const distinct = [...new Set(versions)];
      assert.deepEqual(distinct, distinct.map((_, i) => i + 1), `${userId}: versions ${versions.join(',')}`);
    }
  });

  it('beats the decayed-popularity baseline on HitRate@10 (tributary evaluate on the topics)', async () => {
    const report = await evaluateFromKafka({
      brokers: KAFKA_BROKERS.join(','), registry: REGISTRY_URL, engagementsTopic: topics.engagements,
      recommendationsTopic: topics.recommendations, holdoutFile, k: [10, 25],
    });
    process.stdout.write(`${formatEvaluationReport(report)}\n`);
    assert.ok(report.targets >= 20, `only ${report.targets} held-out targets`);
    assert.ok(report.flagship[0].hitRate > 1.3 * report.baseline[0].hitRate, JSON.stringify(report));
  });
});
