import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Schema } from 'avsc';
import { main } from '../../../runtime/cli/main';
import { startHomeFeedApp, type RunningHomeFeedApp } from '../../../examples/home-feed/home-feed-app';
import { HOME_FEED_PARTITIONS } from '../../../examples/home-feed/home-feed-partitions';
import { waitForHomeFeedDrained } from '../../../examples/home-feed/home-feed-drain';
import { evaluateFromKafka } from '../../../examples/home-feed/commands/evaluate-command';
import { formatEvaluationReport } from '../../../examples/home-feed/evaluate/prequential-evaluation';
import { readAvroTopic } from '../../../examples/home-feed/evaluate/avro-topic-reader';
import { KafkajsClient } from '../../../runtime/kafka/client/kafkajs/kafkajs-client';
import { loadHomeFeedSchema } from '../../../examples/home-feed/generate/home-feed-schemas';
import { POSITIVE_ACTIONS, type EngagementEvent, type RecommendationEvent } from '../../../examples/home-feed/generate/home-feed-events';
import { createLogger } from '../../../core/logger';
import { KAFKA_BROKERS, REGISTRY_URL, createTopics, randomTopic, requireKafka, requireRegistry, testKafka } from '../../helpers/services';

/**
 * The flagship on 6 partitions with two processes of one application (two
 * members of its group, each with its own state directory, in this process):
 * every task sees every pin through the pin-features global store, and each
 * user's updates come from the one task that holds the user.
 */
describe('home-feed flagship on 6 partitions with 2 processes', function () {
  this.timeout(600_000);
  const topics = { engagements: randomTopic('eng'), images: randomTopic('img'), recommendations: randomTopic('recs') };
  const appId = `home-feed-${randomUUID().slice(0, 8)}`;
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'home-feed-2p-'));
  const holdoutFile = path.join(stateDir, 'holdout.jsonl');
  const apps: RunningHomeFeedApp[] = [];
  let recommendations: RecommendationEvent[] = [];
  let engagements: EngagementEvent[] = [];

  before(async () => {
    await requireKafka();
    await requireRegistry();
    let fatal: unknown;
    await createTopics(testKafka(), [topics.engagements, topics.images].map((topic) => ({ topic, partitions: HOME_FEED_PARTITIONS, config: { 'retention.ms': '-1' } })));
    for (let i = 0; i < 2; i++) {
      apps.push(await startHomeFeedApp({
        env: {
          APP_ID: appId, STATE_DIR: path.join(stateDir, `process-${i}`), KAFKA_BROKERS: KAFKA_BROKERS.join(','), SCHEMA_REGISTRY_URL: REGISTRY_URL,
          ENGAGEMENTS_TOPIC: topics.engagements, IMAGES_TOPIC: topics.images, RECOMMENDATIONS_TOPIC: topics.recommendations,
        },
        logger: createLogger('home-feed-test', 'warn'),
        onFatal: (err) => { fatal = err; },
      }));
    }
    // Live, as in production: both processes are members before events flow.
    const code = await main(['node', 'tributary', 'generate', '--brokers', KAFKA_BROKERS.join(','), '--registry', REGISTRY_URL,
      '--engagements-topic', topics.engagements, '--images-topic', topics.images, '--holdout-file', holdoutFile,
      '--total', '4000', '--users', '100', '--pins', '200', '--interests', '8', '--seed', '9', '--rate', '200', '--no-progress']);
    assert.equal(code, 0);
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const { drained, behind } = await waitForHomeFeedDrained(admin, appId, [topics.engagements, topics.images], Date.now() + 300_000, () => fatal);
      assert.ok(drained, `the two processes did not drain their input in 300 s; behind: ${behind.join(', ')}`);
    } finally {
      await admin.disconnect();
    }
    await Promise.all(apps.splice(0).map((app) => app.stop()));
    const kafka = testKafka();
    recommendations = await readAvroTopic<RecommendationEvent>(new KafkajsClient(kafka), REGISTRY_URL, topics.recommendations, JSON.parse(loadHomeFeedSchema('recommendation').text) as Schema);
    engagements = await readAvroTopic<EngagementEvent>(new KafkajsClient(kafka), REGISTRY_URL, topics.engagements, JSON.parse(loadHomeFeedSchema('engagement').text) as Schema);
  });

  after(async () => {
    await Promise.all(apps.map((app) => app.stop()));
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

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
