// First: kafkajs' fixes (read_committed, produce grouping) must be in place before kafkajs loads (see the module).
import '../../runtime/kafka/client/kafkajs/kafkajs-patches';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { HomeFeedGenerator } from './generate/home-feed-generator';
import { HomeFeedKafkaWriter } from './generate/home-feed-kafka-writer';
import { POSITIVE_ACTIONS } from './generate/home-feed-events';
import { ensureTopics } from '../../runtime/kafka/topic-admin';
import { KafkajsClient } from '../../runtime/kafka/client/kafkajs/kafkajs-client';
import { createLogger } from '../../core/logger';
import { evaluateFromKafka } from './commands/evaluate-command';
import { formatEvaluationReport, type EvaluationReport } from './evaluate/prequential-evaluation';
import { waitForHomeFeedDrained } from './home-feed-drain';
import { startHomeFeedApp, type RunningHomeFeedApp } from './home-feed-app';
import { HOME_FEED_PARTITIONS } from './home-feed-partitions';
import { RecommendationsConsumer } from './consumer/recommendations-consumer';
import { percentile } from '../../core/percentile';
import { Command, CommanderError } from 'commander';
import { ExitCode } from '../../core/exit-code';
import { integer } from './commands/home-feed-options';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SERVICES = path.join(ROOT, 'deploy', 'local', 'services.sh');

export interface DemoOptions {
  /** Upper bound of the whole demo, seconds (default 150). */
  readonly durationS?: number;
  /** Generator rate, events/s (default 150: what the topology sustains on 2 shared cores with room to spare). */
  readonly rate?: number;
  readonly seed?: number;
  /** Partitions of each input topic (default 6). */
  readonly partitions?: number;
  /** Processes of the application (members of its consumer group), run here side by side (default 1). */
  readonly processes?: number;
  readonly brokers?: string;
  readonly registryUrl?: string;
  /** Lines go here (default stdout). */
  readonly print?: (line: string) => void;
}

/** The demo's figures. */
export interface DemoSummary {
  readonly events: number;
  readonly updates: number;
  readonly inputEventsPerS: number;
  readonly updatesPerS: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly report?: EvaluationReport;
}

/**
 * The flagship demo, start to end: start the local services (when not
 * running), create topics, start the topology with a scoring pool and a
 * downstream consumer, stream generated events at a rate with a live line,
 * then print sample feeds with the source of each item, quality against the
 * popularity baseline, throughput and action-to-update latency; stop what it
 * started. Bounded by `durationS`.
 */
export async function runHomeFeedDemo(options: DemoOptions = {}): Promise<DemoSummary> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const durationMs = (options.durationS ?? 150) * 1000;
  const rate = options.rate ?? 150;
  const deadline = Date.now() + durationMs;
  const brokers = options.brokers ?? '127.0.0.1:9092';
  const registryUrl = options.registryUrl ?? 'http://127.0.0.1:8081/apis/ccompat/v7';

  const wasRunning = spawnSync('bash', [SERVICES, 'status'], { encoding: 'utf8' }).stdout;
  const started = ['kafka', 'registry'].filter((s) => !new RegExp(`${s}: running`).test(wasRunning));
  if (started.length) {
    print(`starting ${started.join(' and ')} (deploy/local/services.sh)...`);
    const r = spawnSync('bash', [SERVICES, 'start'], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('could not start the local services');
  }
  const run = randomUUID().slice(0, 8);
  const topics = { images: `demo-images-${run}`, engagements: `demo-engagements-${run}`, recommendations: `demo-recommendations-${run}` };
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'home-feed-demo-'));
  const holdoutFile = path.join(stateDir, 'holdout.jsonl');
  const appId = `home-feed-demo-${run}`;
  const kafka = new Kafka({ clientId: 'home-feed-demo', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const partitions = options.partitions ?? HOME_FEED_PARTITIONS;
  const processes = options.processes ?? 1;
  const topicAdmin = await new KafkajsClient(kafka).admin();
  try {
    await ensureTopics(topicAdmin, [
      { topic: topics.images, partitions, purpose: 'demo pins', config: { 'retention.ms': '-1' } },
      { topic: topics.engagements, partitions, purpose: 'demo engagements', config: { 'retention.ms': '-1' } },
    ], 'create');
  } finally {
    await topicAdmin.close();
  }

  // The processes of one application: one group, one state directory each (as separate hosts would have).
  const apps: RunningHomeFeedApp[] = [];
  for (let i = 0; i < processes; i++) {
    apps.push(await startHomeFeedApp({
      env: {
        APP_ID: appId, STATE_DIR: path.join(stateDir, `process-${i}`), KAFKA_BROKERS: brokers, SCHEMA_REGISTRY_URL: registryUrl,
        IMAGES_TOPIC: topics.images, ENGAGEMENTS_TOPIC: topics.engagements, RECOMMENDATIONS_TOPIC: topics.recommendations,
      },
      logger: createLogger('home-feed', 'warn'),
      // GET /feeds/{userId} on a free loopback port per process (printed at the end).
      queryEndpoint: { port: 0 },
    }));
  }
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let updates = 0;
  let firstSent = 0;
  let lastUpdateAt = 0;
  const consumer = new RecommendationsConsumer({
    brokers: brokers.split(','), registryUrl, topic: topics.recommendations, groupId: `${appId}-consumer`,
    onUpdate: (update, receivedAt) => {
      updates++;
      lastUpdateAt = receivedAt;
      const sent = sentAt.get(`${update.userId}@${update.eventTime}`);
      if (sent !== undefined && update.trigger !== 'new_pin') latencies.push(receivedAt - sent);
    },
  });
  await consumer.start();
  const writer = await HomeFeedKafkaWriter.open({ brokers: brokers.split(","), registryUrl, imagesTopic: topics.images, engagementsTopic: topics.engagements, holdoutFile });

  // Size the stream to the time left now that the services and the app are up (starting the
  // services can take half of a short budget): generating must end before the budget's last
  // 25 s, or the stream's tail, where the held-out engagements are, is never written.
  const generateMs = Math.max(10_000, (deadline - Date.now() - 25_000) * 0.85);
  const total = Math.max(1000, Math.round((rate * generateMs) / 1000 / 100) * 100);
  const users = Math.max(100, Math.round(total / 50));
  const generator = new HomeFeedGenerator({
    seed: options.seed ?? 42, totalEvents: total, users, initialPins: Math.max(300, Math.round(total / 25)),
    startTime: Math.floor((Date.now() - 2 * 86_400_000) / 1000) * 1000,
  });
  print(`streaming ${total} events (${users} users) at ${rate} events/s into ${topics.engagements} / ${topics.images} (${partitions} partitions each; ${processes} process${processes === 1 ? '' : 'es'} of ${appId})`);
  const abort = new AbortController();
  const budget = setTimeout(() => abort.abort(), Math.max(1000, deadline - Date.now() - 25_000));
  let written = 0;
  try {
    await writer.write(generator.events(), {
      total, rate, signal: abort.signal, progressEveryMs: 3000,
      onSent: (events, at) => {
        if (!firstSent) firstSent = at;
        for (const e of events) if (e.kind === 'engagement' && POSITIVE_ACTIONS.has(e.value.action)) sentAt.set(`${e.value.userId}@${e.value.eventTime}`, at);
      },
      onProgress: (p) => {
        written = p.written;
        const secs = p.elapsedMs / 1000;
        print(`  ${p.written}/${total} events in (${Math.round(p.written / secs)}/s) | ${updates} recommendation updates out (${Math.round(updates / secs)}/s) | ${consumer.feeds.users} users served`);
      },
    });
  } finally {
    clearTimeout(budget);
    await writer.close();
  }
  if (abort.signal.aborted && written < total) {
    print(`the budget ended the stream at ${written} of ${total} events: its tail, with the held-out engagements, is missing; give --duration more time`);
  }
  // Let the app drain what was written, within the budget.
  const admin = kafka.admin();
  await admin.connect();
  let drainedAt = Date.now();
  try {
    const { drained, behind } = await waitForHomeFeedDrained(admin, appId, [topics.engagements, topics.images], deadline - 15_000);
    if (!drained) print(`the budget ended before the app caught up (behind: ${behind.slice(0, 4).join(', ')}${behind.length > 4 ? ', ...' : ''})`);
    drainedAt = Date.now();
  } finally {
    await admin.disconnect();
  }
  await sleep(1000);
  // The same feed, asked of the app itself (process 0 redirects to the process holding the user).
  const asked = consumer.feeds.mostUpdated(1)[0];
  const feedUrl = asked && apps[0].queryUrl ? `${apps[0].queryUrl}/feeds/${encodeURIComponent(asked.userId)}` : undefined;
  type FeedReply = { status: number; body: { version?: number; items?: string[]; endpoint?: string; error?: string } };
  const feedAnswer: FeedReply | undefined = feedUrl
    ? await fetch(feedUrl).then(async (res): Promise<FeedReply> => ({ status: res.status, body: await res.json() as FeedReply['body'] }), (err: unknown): FeedReply => ({ status: 0, body: { error: String(err) } }))
    : undefined;
  await Promise.all(apps.map((app) => app.stop()));
  await consumer.stop();

  const seconds = Math.max(0.001, (drainedAt - firstSent) / 1000);
  print('');
  print('sample recommendations (the most active users, top 5 of each):');
  for (const feed of consumer.feeds.mostUpdated(3)) {
    const userId = feed.userId;
    print(`  ${userId} v${feed.version} (${feed.trigger}, ${feed.items.length} items, hash ${feed.contentHash}):`);
    for (const item of feed.items.slice(0, 5)) print(`    ${item.pinId}  score ${item.score.toFixed(3)}  from ${item.source}`);
  }
  if (feedUrl && feedAnswer) {
    print('');
    print(feedAnswer.status === 200
      ? `interactive query: GET ${feedUrl} -> v${feedAnswer.body.version}, ${feedAnswer.body.items?.length} items (answered by ${feedAnswer.body.endpoint}; the topic's newest: v${asked.version})`
      : `interactive query: GET ${feedUrl} -> ${feedAnswer.status} ${feedAnswer.body.error ?? ''}`);
  }
  let report: EvaluationReport | undefined;
  try {
    report = await evaluateFromKafka({ brokers, registry: registryUrl, engagementsTopic: topics.engagements, recommendationsTopic: topics.recommendations, holdoutFile, k: [10, 25] });
    print('');
    print('quality on held-out engagements (tributary evaluate):');
    for (const line of formatEvaluationReport(report).split('\n')) print(`  ${line}`);
  } catch (err) {
    print(`evaluation skipped: ${(err as Error).message}`);
  }
  const pct = (q: number): number => (latencies.length > 0 ? percentile(latencies, q) : NaN);
  const summary: DemoSummary = {
    events: written, updates, inputEventsPerS: written / seconds, updatesPerS: updates / Math.max(0.001, ((lastUpdateAt || drainedAt) - firstSent) / 1000),
    latencyP50Ms: pct(0.5), latencyP99Ms: pct(0.99), report,
  };
  print('');
  print(`throughput: ${summary.events} events in ${seconds.toFixed(1)} s = ${summary.inputEventsPerS.toFixed(0)} events/s through the flagship; ${updates} updates (${summary.updatesPerS.toFixed(1)}/s)`);
  print(`action-to-update latency (producer ack → consumer receipt, ${latencies.length} updates): p50 ${summary.latencyP50Ms} ms, p99 ${summary.latencyP99Ms} ms`);

  fs.rmSync(stateDir, { recursive: true, force: true });
  if (started.length) {
    print(`stopping ${started.join(' and ')}`);
    spawnSync('bash', [SERVICES, 'stop', ...started], { stdio: 'inherit' });
  }
  return summary;
}

if (require.main === module) {
  const command = new Command('npm run demo --')
    .description('the flagship demo: starts the local services if needed, streams generated events through the home-feed recommender, shows recommendations, latency and quality')
    .option('--duration <s>', 'seconds of streaming', integer('--duration', 1), 150)
    .option('--rate <events/s>', 'input rate', integer('--rate', 1), 150)
    .option('--partitions <n>', 'partitions of the input topics', integer('--partitions', 1), HOME_FEED_PARTITIONS)
    .option('--processes <n>', 'processes of the application (one consumer group)', integer('--processes', 1), 1)
    .exitOverride();
  try {
    command.parse(process.argv);
  } catch (err) {
    // --help exits 0; a usage mistake exits 2, as a tributary command does.
    process.exit(err instanceof CommanderError && err.exitCode === 0 ? ExitCode.ok : ExitCode.usage);
  }
  const o = command.opts<{ duration: number; rate: number; partitions: number; processes: number }>();
  runHomeFeedDemo({
    durationS: o.duration, rate: o.rate, partitions: o.partitions, processes: o.processes,
  }).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(ExitCode.failed);
    },
  );
}
