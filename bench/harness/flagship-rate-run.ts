import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import { HomeFeedGenerator } from '../../examples/home-feed/generate/home-feed-generator';
import { FLAGSHIP_APP_READY } from './flagship-app-child';
import { HOME_FEED_PARTITIONS } from '../../examples/home-feed/home-feed-partitions';
import { FlagshipFeeder, type FedBatch } from './flagship-feeder';
import { FlagshipLatencyCollector, type ArrivedUpdate } from './flagship-latency-collector';
import { triggerLatency } from '../../test/helpers/flagship-trigger-latency';
import { createRandomTopic, deleteTopics } from '../../test/helpers/kafka-topics';
import { summarizeLatencies, type LatencySummary } from '../../test/helpers/latency-summary';
import { ManagedProcess } from '../../test/helpers/managed-process';
import { APP_NODE_FLAGS } from '../../runtime/cli/node-flags';

/** How one fixed-rate run is shaped. */
export interface FlagshipRateRunOptions {
  readonly kafka: Kafka;
  readonly brokers: readonly string[];
  readonly registryUrl: string;
  /** Offered input rate, events/s. */
  readonly rate: number;
  /** Seconds fed before the measured window (excluded), in it, and after it (excluded: lets the window's debounced triggers fire). */
  readonly warmupS: number;
  readonly measureS: number;
  readonly tailS: number;
  /** Upper bound of the wait for the application to commit all of its input after the feed stops, s. */
  readonly drainS: number;
  /** The topology's settle debounce, ms (an engagement update's designed hold). */
  readonly settleMs: number;
  readonly seed: number;
  readonly users: number;
  /** Pins sent before the run (the catalogue), as fast as the broker takes them. */
  readonly pins: number;
  readonly print: (line: string) => void;
  /** Write a V8 CPU profile of the application process into `<dir>/<rate>` (node --cpu-prof). */
  readonly profileDir?: string;
  /** Write an allocation profile of the application process into `<dir>/<rate>` (see allocation-sampler.ts), sampled from the measured window on. */
  readonly allocationProfileDir?: string;
}

/** What one fixed-rate run measured. */
export interface FlagshipRateRun {
  readonly rate: number;
  /** Events stamped inside the measured window / its length. */
  readonly achievedRate: number;
  readonly windowEvents: number;
  /** Updates whose trigger's event time falls in the measured window, by trigger. */
  readonly byTrigger: Readonly<Record<string, number>>;
  /** Event time → arrival, all updates of the window. */
  readonly raw: LatencySummary;
  /** Net of the settle debounce for engagement triggers (hide / new_pin unchanged). */
  readonly net: LatencySummary;
  /** Net latency per trigger (engagement, hide, new_pin): where the tail comes from. */
  readonly netByTrigger: Readonly<Record<string, LatencySummary>>;
  /** Uncommitted input records when the feed stopped and when the drain wait ended. */
  readonly lagAtStop: number | null;
  readonly lagAfterDrain: number | null;
  /**
   * The same for the application's repartition topics: work the input caused that a task has not
   * committed yet (the pin index's updates, new-pin fan-outs). Input lag alone hid a pin index
   * 25,000 records behind.
   */
  readonly internalLagAtStop: number | null;
  readonly internalLagAfterDrain: number | null;
  /** Input events the application committed per second from the feed's start to the end of the drain wait. */
  readonly appRate: number | null;
  /** ms from the feed's stop until the application had committed all input and internal records (null: not within the bound). */
  readonly drainedInMs: number | null;
  /** p99 of the benchmark process's own event-loop delay during the window, ms: the bound on how late an arrival was noted. */
  readonly benchLoopDelayP99Ms: number;
  /** The window's updates as they arrived (for `--dump`). */
  readonly arrivals: readonly ArrivedUpdate[];
  /** Problems to print beside the figures (app failure, catalogue not indexed, generator exhausted). */
  readonly problems: readonly string[];
  readonly logFile: string;
}

const APP_CHILD = join(__dirname, 'flagship-app-child.js');

/**
 * One fixed-rate run of the flagship on the real broker and registry: fresh topics and
 * application id, the application in a child process, a latency consumer on the output, the
 * pin catalogue, then generated events at `rate` for warm-up + window + tail, a bounded drain
 * wait, and the teardown (application stopped, topics deleted). Every wait is bounded.
 */
export async function runFlagshipRate(o: FlagshipRateRunOptions): Promise<FlagshipRateRun> {
  const run = randomUUID().slice(0, 8);
  const appId = `flagship-latency-${run}`;
  const problems: string[] = [];
  const topics: string[] = [];
  const stateDir = mkdtempSync(join(tmpdir(), 'flagship-latency-'));
  const logFile = join(tmpdir(), `${appId}.log`);
  let app: ManagedProcess | undefined;
  let collector: FlagshipLatencyCollector | undefined;
  let feeder: FlagshipFeeder | undefined;
  let stopping = false;
  const admin = o.kafka.admin();
  await admin.connect();
  try {
    const images = await createRandomTopic(o.kafka, 'latency-images', HOME_FEED_PARTITIONS);
    const engagements = await createRandomTopic(o.kafka, 'latency-engagements', HOME_FEED_PARTITIONS);
    const recommendations = await createRandomTopic(o.kafka, 'latency-recommendations', HOME_FEED_PARTITIONS);
    topics.push(images, engagements, recommendations);

    let ready!: () => void;
    const readySeen = new Promise<void>((resolve) => { ready = resolve; });
    app = new ManagedProcess({
      command: process.execPath,
      args: [
        ...(o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(o.profileDir, String(o.rate))}`] : []),
        ...(o.allocationProfileDir ? ['--require', join(__dirname, 'allocation-sampler.js')] : []),
        ...APP_NODE_FLAGS, APP_CHILD,
      ],
      logFile,
      env: {
        ...process.env,
        ...(o.allocationProfileDir ? { ALLOCATION_PROFILE_DIR: join(o.allocationProfileDir, String(o.rate)), ALLOCATION_SAMPLE_AFTER_S: String(o.warmupS + 5) } : {}),
        APP_ID: appId, STATE_DIR: stateDir, KAFKA_BROKERS: o.brokers.join(','), SCHEMA_REGISTRY_URL: o.registryUrl,
        IMAGES_TOPIC: images, ENGAGEMENTS_TOPIC: engagements, RECOMMENDATIONS_TOPIC: recommendations,
      },
      onLine: (line) => { if (line.trim() === FLAGSHIP_APP_READY) ready(); },
    }).start();
    const started = await Promise.race([
      readySeen.then(() => 'ready' as const),
      app.exited().then(() => 'exited' as const),
      sleep(120_000, undefined, { ref: false }).then(() => 'timeout' as const),
    ]);
    if (started !== 'ready') throw new Error(`flagship app ${started === 'exited' ? 'exited' : 'was not ready after 120 s'} (log ${logFile})`);

    collector = new FlagshipLatencyCollector(o.kafka, o.registryUrl, recommendations, `${appId}-latency`);
    await collector.start(60_000);
    feeder = await FlagshipFeeder.open({ kafka: o.kafka, registryUrl: o.registryUrl, imagesTopic: images, engagementsTopic: engagements });

    const fedS = o.warmupS + o.measureS + o.tailS;
    const generator = new HomeFeedGenerator({
      seed: o.seed, users: o.users, initialPins: o.pins, holdoutShare: 0,
      totalEvents: o.pins + Math.ceil(o.rate * fedS * 1.05) + 1000,
    });
    const events = generator.events();
    await feeder.burst(events, o.pins);
    const lag = async (): Promise<number | null> => inputLag(admin, appId, [images, engagements]);
    const repartitionTopics = (await admin.listTopics()).filter((t) => t.startsWith(`${appId}-`) && t.endsWith('-repartition'));
    const internalLag = async (): Promise<number | null> => inputLag(admin, appId, repartitionTopics);
    if (!(await waitFor(async () => (await lag()) === 0, 60_000))) problems.push(`the ${o.pins} catalogue pins were not all committed within 60 s`);

    void app.exited().then((e) => {
      if (!stopping) problems.push(`the flagship app exited during the run (code ${e.code}, signal ${e.signal}; log ${logFile})`);
    });
    const loop = monitorEventLoopDelay({ resolution: 10 });
    const loopStart = setTimeout(() => loop.enable(), o.warmupS * 1000);
    const loopStop = setTimeout(() => loop.disable(), (o.warmupS + o.measureS) * 1000);
    o.print(`  ${o.rate} events/s: feeding ${o.warmupS} s warm-up + ${o.measureS} s measured + ${o.tailS} s tail (app ${appId})`);
    const fed = await feeder.paced(events, o.rate, fedS * 1000);
    clearTimeout(loopStart);
    clearTimeout(loopStop);
    loop.disable();
    if (fed.exhausted) problems.push('the generator ran out of events before the feed ended');
    const windowFrom = fed.startMs + o.warmupS * 1000;
    const windowTo = windowFrom + o.measureS * 1000;
    const windowEvents = countStamped(fed.batches, windowFrom, windowTo);

    const stoppedAt = Date.now();
    const lagAtStop = await lag();
    const internalLagAtStop = await internalLag();
    const internalByTopic = await lagByTopic(admin, appId, repartitionTopics);
    if (internalByTopic !== null && internalLagAtStop !== 0) {
      o.print(`  ${o.rate} events/s: internal lag at stop by topic: ${[...internalByTopic].map(([t, n]) => `${t.slice(appId.length + 1)} ${n}`).join(', ')}`);
    }
    let lagAfterDrain = lagAtStop;
    let internalLagAfterDrain = internalLagAtStop;
    let drainedInMs: number | null = null;
    while (Date.now() - stoppedAt < o.drainS * 1000) {
      [lagAfterDrain, internalLagAfterDrain] = [await lag(), await internalLag()];
      if (lagAfterDrain === 0 && internalLagAfterDrain === 0) {
        drainedInMs = Date.now() - stoppedAt;
        break;
      }
      await sleep(250);
    }
    const drainEndMs = Date.now();
    const fedTotal = fed.batches.reduce((n, b) => n + b.images + b.engagements, 0);
    const appRate = lagAfterDrain === null ? null : (fedTotal - lagAfterDrain) / Math.max(0.001, (drainEndMs - fed.startMs) / 1000);
    // Outputs of committed input are already in the topic; give the consumer a moment to fetch them.
    let seen = collector.updates.length;
    for (const until = Date.now() + 3000; Date.now() < until;) {
      await sleep(500);
      if (collector.updates.length === seen) break;
      seen = collector.updates.length;
    }

    const inWindow = collector.updates.filter((u) => u.triggerTimeMs >= windowFrom && u.triggerTimeMs < windowTo);
    const byTrigger: Record<string, number> = {};
    const raw: number[] = [];
    const net: number[] = [];
    const netPerTrigger: Record<string, number[]> = {};
    for (const u of inWindow) {
      byTrigger[u.trigger] = (byTrigger[u.trigger] ?? 0) + 1;
      const l = triggerLatency(u.trigger, u.triggerTimeMs, u.receivedAtMs, o.settleMs);
      raw.push(l.rawMs);
      net.push(l.netMs);
      (netPerTrigger[u.trigger] ??= []).push(l.netMs);
    }
    const netByTrigger = Object.fromEntries(Object.entries(netPerTrigger).map(([t, xs]) => [t, summarizeLatencies(xs)]));
    return {
      rate: o.rate, achievedRate: windowEvents / o.measureS, windowEvents, byTrigger,
      raw: summarizeLatencies(raw), net: summarizeLatencies(net), netByTrigger,
      lagAtStop, lagAfterDrain, internalLagAtStop, internalLagAfterDrain, drainedInMs, appRate,
      benchLoopDelayP99Ms: loop.count > 0 ? loop.percentile(99) / 1e6 : 0,
      arrivals: inWindow, problems, logFile,
    };
  } finally {
    await collector?.stop().catch(() => undefined);
    await feeder?.close().catch(() => undefined);
    if (app) {
      stopping = true;
      const exit = await app.kill('SIGTERM', 20_000);
      if (exit.code !== 0 && exit.code !== null) problems.push(`the flagship app stopped with code ${exit.code} (log ${logFile})`);
    }
    const internal = (await admin.listTopics().catch(() => [] as string[])).filter((t) => t.startsWith(`${appId}-`));
    await admin.disconnect().catch(() => undefined);
    await deleteTopics(o.kafka, [...topics, ...internal]).catch((err: Error) => o.print(`  cleanup: ${err.message}`));
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** Events of the batches stamped in [fromMs, toMs). */
function countStamped(batches: readonly FedBatch[], fromMs: number, toMs: number): number {
  let n = 0;
  for (const b of batches) if (b.stampMs >= fromMs && b.stampMs < toMs) n += b.images + b.engagements;
  return n;
}

/** Input records the application's group has not committed yet (null when the broker did not answer). */
async function inputLag(admin: ReturnType<Kafka['admin']>, groupId: string, topics: readonly string[]): Promise<number | null> {
  const byTopic = await lagByTopic(admin, groupId, topics);
  return byTopic === null ? null : [...byTopic.values()].reduce((a, b) => a + b, 0);
}

/** Records of each topic the group has not committed yet (null: the cluster did not answer). */
async function lagByTopic(admin: ReturnType<Kafka['admin']>, groupId: string, topics: readonly string[]): Promise<Map<string, number> | null> {
  try {
    const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
    const out = new Map<string, number>();
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const done = committed.find((c) => c.topic === topic)?.partitions ?? [];
      let lag = 0;
      for (const end of ends) {
        const at = Number(done.find((p) => p.partition === end.partition)?.offset ?? -1);
        lag += Math.max(0, Number(end.high) - Math.max(Number(end.low), at));
      }
      out.set(topic, lag);
    }
    return out;
  } catch {
    return null;
  }
}

/** Polls `check` every 250 ms until it holds or `timeoutMs` passes; returns whether it held. */
async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  for (const until = Date.now() + timeoutMs; Date.now() < until; await sleep(250)) {
    if (await check()) return true;
  }
  return false;
}
