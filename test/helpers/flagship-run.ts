/**
 * A flagship (examples/home-feed) run on the real services for the integration tests: fresh
 * topics on the flagship's partition count, N processes of one application in this process
 * (each with its own state directory), a generated stream written live, then drained.
 * Shared by the flagship tests so their set-up is written once.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Schema } from 'avsc';
import { main } from '../../runtime/cli/main';
import { startHomeFeedApp, type HomeFeedAppOptions, type RunningHomeFeedApp } from '../../examples/home-feed/home-feed-app';
import { HOME_FEED_PARTITIONS } from '../../examples/home-feed/home-feed-partitions';
import { waitForHomeFeedDrained } from '../../examples/home-feed/home-feed-drain';
import { readAvroTopic } from '../../examples/home-feed/evaluate/avro-topic-reader';
import { loadHomeFeedSchema } from '../../examples/home-feed/generate/home-feed-schemas';
import type { EngagementEvent, RecommendationEvent } from '../../examples/home-feed/generate/home-feed-events';
import { KafkajsClient } from '../../runtime/kafka/client/kafkajs/kafkajs-client';
import { createLogger } from '../../core/logger';
import { KAFKA_BROKERS, REGISTRY_URL, createTopics, randomTopic, testKafka } from './services';

export interface FlagshipTopics {
  readonly engagements: string;
  readonly images: string;
  readonly recommendations: string;
}

/** A running flagship application of one or more processes, and what it was given. */
export class FlagshipRun {
  readonly topics: FlagshipTopics = { engagements: randomTopic('eng'), images: randomTopic('img'), recommendations: randomTopic('recs') };
  readonly apps: RunningHomeFeedApp[] = [];
  /** The first fatal error any process reported. */
  fatal: unknown;

  constructor(readonly appId: string, private readonly stateDir: string) {}

  /** Creates the input topics (kept without time limit: generated event times are old) and starts `processes` processes. */
  async start(processes: number, options: Pick<HomeFeedAppOptions, 'queryEndpoint'> = {}): Promise<void> {
    await createTopics(testKafka(), [this.topics.engagements, this.topics.images].map((topic) => ({ topic, partitions: HOME_FEED_PARTITIONS, config: { 'retention.ms': '-1' } })));
    for (let i = 0; i < processes; i++) {
      this.apps.push(await startHomeFeedApp({
        env: {
          APP_ID: this.appId, STATE_DIR: processes === 1 ? this.stateDir : path.join(this.stateDir, `process-${i}`),
          KAFKA_BROKERS: KAFKA_BROKERS.join(','), SCHEMA_REGISTRY_URL: REGISTRY_URL,
          ENGAGEMENTS_TOPIC: this.topics.engagements, IMAGES_TOPIC: this.topics.images, RECOMMENDATIONS_TOPIC: this.topics.recommendations,
        },
        logger: createLogger('home-feed-test', 'warn'),
        onFatal: (err) => { this.fatal ??= err; },
        ...options,
      }));
    }
  }

  /** Writes a generated stream with `tributary generate` (its options after the topics and services). */
  async generate(args: readonly string[]): Promise<void> {
    const code = await main(['node', 'tributary', 'generate', '--brokers', KAFKA_BROKERS.join(','), '--registry', REGISTRY_URL,
      '--engagements-topic', this.topics.engagements, '--images-topic', this.topics.images, ...args, '--no-progress']);
    assert.equal(code, 0, 'tributary generate');
  }

  /** Waits (at most `timeoutMs`) until the group committed every input record and every internal hop's. */
  async drained(timeoutMs: number): Promise<void> {
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const { drained, behind } = await waitForHomeFeedDrained(admin, this.appId, [this.topics.engagements, this.topics.images], Date.now() + timeoutMs, () => this.fatal);
      assert.ok(drained, `the app did not drain its input in ${timeoutMs / 1000} s; behind: ${behind.join(', ')}`);
    } finally {
      await admin.disconnect();
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.apps.splice(0).map((app) => app.stop()));
  }

  /** Stops what still runs and removes the state directory (a test's `after`). */
  async close(): Promise<void> {
    await this.stop();
    fs.rmSync(this.stateDir, { recursive: true, force: true });
  }

  /**
   * The whole run, as in production: `processes` processes are up (members of the group)
   * before the generated stream flows live, so pins are indexed before the engagements that
   * name them (a task reads its two topics in fetch order, not in event-time order); done when
   * the group committed every input record and every hop's; then the processes stop and the
   * recommendations and engagements are read back.
   */
  async runToEnd(processes: number, generateArgs: readonly string[], drainMs: number): Promise<{ recommendations: RecommendationEvent[]; engagements: EngagementEvent[] }> {
    await this.start(processes);
    await this.generate(generateArgs);
    await this.drained(drainMs);
    await this.stop();
    return { recommendations: await this.read('recommendations', 'recommendation'), engagements: await this.read('engagements', 'engagement') };
  }

  /** Every record of a flagship topic, decoded through the registry with the flagship's schema of that name. */
  async read<T>(topic: keyof FlagshipTopics, schema: 'recommendation' | 'engagement'): Promise<T[]> {
    return readAvroTopic<T>(new KafkajsClient(testKafka()), REGISTRY_URL, this.topics[topic], JSON.parse(loadHomeFeedSchema(schema).text) as Schema);
  }
}
