/**
 * The flagship on Kafka over partitions and processes: for each configuration
 * (input partitions × processes of one application, each process a child
 * running `startHomeFeedApp`, as the demo does), fresh topics and app id,
 * the same seeded stream written live at a fixed rate, then drained and
 * judged. Prints per configuration HitRate@K and NDCG@K of the emitted
 * lists on the held-out engagements (`tributary evaluate`), and CPU seconds
 * of the application's processes per 1,000 input events (/proc/<pid>/stat,
 * from ready to drained), each as a ratio against the first configuration;
 * also the processes' idle CPU (a quiet window before the events) and the
 * CPU per 1,000 events less that idle CPU over the run: what events cost.
 *
 *   node dist/bench/flagship-partitions.js [--configs 1x1,6x1] [--events 6000] [--rate 200] [--seed 5]
 *   node dist/bench/flagship-partitions.js --configs 6x1,6x2,6x4     # CPU per process count
 *   node dist/bench/flagship-partitions.js --configs 6x1,6x2 --profile-dir /tmp/prof   # where the CPU goes
 */
import '../runtime/kafka/client/kafkajs/kafkajs-patches';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { HomeFeedGenerator } from '../examples/home-feed/generate/home-feed-generator';
import { HomeFeedKafkaWriter } from '../examples/home-feed/generate/home-feed-kafka-writer';
import { waitForHomeFeedDrained } from '../examples/home-feed/home-feed-drain';
import { alignmentTopicName } from '../topology/internal-topic-names';
import { evaluateFromKafka } from '../examples/home-feed/commands/evaluate-command';
import { formatEvaluationReport, type EvaluationReport } from '../examples/home-feed/evaluate/prequential-evaluation';
import { FLAGSHIP_APP_READY, FLAGSHIP_APP_STATS, type FlagshipAppStats } from './harness/flagship-app-child';
import { ManagedProcess, formatMachineBanner, machineInfo } from './harness';
import { createTopics } from '../test/helpers/services';
import { InvalidArgumentError } from 'commander';
import { integerOption, listOption, positiveOption } from '../runtime/cli/option-parsers';
import { APP_NODE_FLAGS } from '../runtime/cli/node-flags';
import { parseScriptOptions, scriptCommand } from '../test/helpers/script-options';

const APP_CHILD = path.join(__dirname, 'harness', 'flagship-app-child.js');
const CLOCK_TICKS = 100; // USER_HZ on Linux

/** `PxN`: P input partitions, N processes. */
const config = (text: string): [number, number] => {
  const m = /^(\d+)x(\d+)$/.exec(text);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new InvalidArgumentError(`--configs takes PARTITIONSxPROCESSES, comma-separated (e.g. 1x1,6x2), not '${text}'`);
  return [Number(m[1]), Number(m[2])];
};

const options = scriptCommand('dist/bench/flagship-partitions.js', 'the flagship on Kafka over partitions and processes: quality and CPU per 1,000 events, as ratios to the first configuration')
  .option('--configs <list>', 'PARTITIONSxPROCESSES, comma-separated', listOption(config), [[1, 1], [6, 1]] as Array<[number, number]>)
  .option('--events <n>', 'generated events', integerOption('--events', 1), 6000)
  .option('--warmup-events <n>', 'CPU is also given from the moment this many events are acknowledged to the drain: warm processes', integerOption('--warmup-events', 0), 0)
  .option('--idle-settle <s>', 'seconds between the last process joining and the idle measurement (start-up work, such as the JIT compiling, goes on a while)', integerOption('--idle-settle', 0), 5)
  .option('--rate <events/s>', 'input rate', positiveOption('--rate'), 200)
  .option('--seed <n>', 'generator seed', integerOption('--seed', 0), 5)
  .option('--profile-dir <dir>', "write a V8 CPU profile of each app process there (node --cpu-prof), to see where the CPU goes")
  .option('--node-flags <flags>', "extra node/V8 flags for each app process, space-separated (e.g. '--trace-deopt'; their output goes to the process's log, see --keep-state)", '')
  .option('--keep-state', "keep each configuration's state directory (the processes' logs) and print where it is")
  .option('--brokers <list>', 'Kafka bootstrap servers', '127.0.0.1:9092')
  .option('--registry <url>', 'schema registry (Confluent API) base URL', 'http://127.0.0.1:8081/apis/ccompat/v7');

/** utime + stime of a live process, seconds. */
function cpuSeconds(pid: number, statFile = `/proc/${pid}/stat`): number {
  const stat = fs.readFileSync(statFile, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** utime + stime of a live process's main thread (the event loop), seconds; the rest is V8's helpers (compiler, GC), libuv's pool, the scoring workers. */
function mainThreadSeconds(pid: number): number {
  return cpuSeconds(pid, `/proc/${pid}/task/${pid}/stat`);
}

interface RunResult {
  readonly label: string;
  readonly events: number;
  readonly report: EvaluationReport;
  readonly cpuPer1000: number;
  /** CPU per 1,000 events after the first --warmup-events (the JIT's compilation of each process is mostly behind it). */
  readonly warmCpuPer1000: number;
  /** The part of {@link cpuPer1000} on the processes' main threads. */
  readonly mainThreadPer1000: number;
  /** CPU of the processes when no event arrives (cores, summed over processes): polls, heartbeats, timers. */
  readonly idleCores: number;
  /** CPU per 1,000 events less the idle CPU over the same time: what the events themselves cost. */
  readonly eventCpuPer1000: number;
  readonly seconds: number;
  /** Records the index task published to the global store's topic, which every process reads back. */
  readonly globalRecords: number;
  /** Event-time frontier reports the processes exchanged (docs/partitions.md): each process reads all of them. */
  readonly alignmentRecords: number;
  /** Model executions: rows per execution is how well the processes' scoring batches fill. */
  readonly executions: number;
  /**
   * Candidates the processes scored: the ranking work the input caused. It varies with timing
   * (a trigger that finds the index a commit later, debounces), so CPU is also given per row.
   */
  readonly scoredRows: number;
}

/** Seconds over which the processes' idle CPU is measured (after --idle-settle). */
const IDLE_MEASURE_S = 10;

interface BenchOptions { events: number; warmupEvents: number; idleSettle: number; rate: number; seed: number; brokers: string; registry: string; profileDir?: string; keepState?: boolean; nodeFlags: string }

async function runConfig(partitions: number, processes: number, o: BenchOptions): Promise<RunResult> {
  const label = `${partitions} partition${partitions === 1 ? '' : 's'} × ${processes} process${processes === 1 ? '' : 'es'}`;
  const run = randomUUID().slice(0, 8);
  const appId = `flagship-bench-${run}`;
  const topics = { images: `fb-images-${run}`, engagements: `fb-engagements-${run}`, recommendations: `fb-recs-${run}` };
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flagship-bench-'));
  const holdoutFile = path.join(stateDir, 'holdout.jsonl');
  const kafka = new Kafka({ clientId: 'flagship-bench', brokers: o.brokers.split(','), logLevel: logLevel.NOTHING });
  // The broker may answer the leader wait with a stale "does not host this topic-partition" right after creating: ask again.
  for (let attempt = 1; ; attempt++) {
    try {
      await createTopics(kafka, [topics.images, topics.engagements].map((topic) => ({ topic, partitions, config: { 'retention.ms': '-1' } })));
      break;
    } catch (error) {
      if (attempt >= 5 || !/does not host this topic-partition|already exists/i.test(String(error))) throw error;
      if (/already exists/i.test(String(error))) break;
      await sleep(1000);
    }
  }
  const children: ManagedProcess[] = [];
  const stats: FlagshipAppStats[] = [];
  let failure: Error | undefined;
  let succeeded = false;
  try {
    for (let i = 0; i < processes; i++) {
      let ready!: () => void;
      const seen = new Promise<void>((resolve) => { ready = resolve; });
      const child = new ManagedProcess({
        command: process.execPath,
        args: [
          ...(o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(o.profileDir, `${partitions}x${processes}`)}`] : []),
          ...APP_NODE_FLAGS,
          ...o.nodeFlags.split(' ').filter((f) => f !== ''),
          APP_CHILD,
        ], logFile: path.join(stateDir, `process-${i}.log`),
        env: {
          ...process.env, APP_ID: appId, STATE_DIR: path.join(stateDir, `process-${i}`), KAFKA_BROKERS: o.brokers, SCHEMA_REGISTRY_URL: o.registry,
          IMAGES_TOPIC: topics.images, ENGAGEMENTS_TOPIC: topics.engagements, RECOMMENDATIONS_TOPIC: topics.recommendations,
        },
        onLine: (line) => {
          if (line.trim() === FLAGSHIP_APP_READY) ready();
          if (line.startsWith(FLAGSHIP_APP_STATS)) stats.push(JSON.parse(line.slice(FLAGSHIP_APP_STATS.length)) as FlagshipAppStats);
        },
      }).start();
      children.push(child);
      void child.exited().then((e) => { failure ??= new Error(`${label}: process ${i} exited (code ${e.code}; log ${stateDir}/process-${i}.log)`); });
      const started = await Promise.race([seen.then(() => true), sleep(180_000).then(() => false)]);
      if (!started || failure) throw failure ?? new Error(`${label}: process ${i} not ready after 180 s`);
    }
    // The group settles (rebalances after the last join), then idle CPU is read over a quiet window.
    await sleep(o.idleSettle * 1000);
    const idleFrom = children.map((c) => cpuSeconds(c.pid as number));
    await sleep(IDLE_MEASURE_S * 1000);
    const idleCores = children.reduce((s, c, i) => s + cpuSeconds(c.pid as number) - idleFrom[i], 0) / IDLE_MEASURE_S;
    const cpuAtStart = children.map((c) => cpuSeconds(c.pid as number));
    const mainAtStart = children.map((c) => mainThreadSeconds(c.pid as number));
    const writer = await HomeFeedKafkaWriter.open({ brokers: o.brokers.split(','), registryUrl: o.registry, imagesTopic: topics.images, engagementsTopic: topics.engagements, holdoutFile });
    const generator = new HomeFeedGenerator({ seed: o.seed, totalEvents: o.events, users: Math.round(o.events / 50), initialPins: Math.round(o.events / 25) });
    const started = Date.now();
    let written = 0;
    // The processes' CPU once the first --warmup-events are acknowledged: from there on, what a warm process costs.
    let acked = 0;
    let warm: { events: number; cpu: number[] } | undefined;
    try {
      const result = await writer.write(generator.events(), { total: o.events, rate: o.rate, onSent: (sent) => {
        acked += sent.length;
        if (warm === undefined && acked >= o.warmupEvents) warm = { events: acked, cpu: children.map((c) => cpuSeconds(c.pid as number)) };
      } });
      written = result.written;
    } finally {
      await writer.close();
    }
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { drained, behind } = await waitForHomeFeedDrained(admin, appId, [topics.images, topics.engagements], Date.now() + 600_000, () => failure);
      if (!drained) throw new Error(`${label}: not drained in 600 s; behind: ${behind.join(', ')}`);
    } finally {
      await admin.disconnect();
    }
    const seconds = (Date.now() - started) / 1000;
    const cpu = children.reduce((s, c, i) => s + cpuSeconds(c.pid as number) - cpuAtStart[i], 0);
    const mainThread = children.reduce((s, c, i) => s + mainThreadSeconds(c.pid as number) - mainAtStart[i], 0);
    const warmFrom = warm?.cpu ?? cpuAtStart;
    const warmCpu = children.reduce((s, c, i) => s + cpuSeconds(c.pid as number) - warmFrom[i], 0);
    const warmEvents = written - (warm?.events ?? 0);
    const globalRecords = await topicRecords(kafka, `${appId}-pin-features`);
    const alignmentRecords = await topicRecords(kafka, alignmentTopicName(appId));
    await Promise.all(children.map((c) => c.kill('SIGTERM')));
    const report = await evaluateFromKafka({ brokers: o.brokers, registry: o.registry, engagementsTopic: topics.engagements, recommendationsTopic: topics.recommendations, holdoutFile, k: [10, 25] });
    succeeded = true;
    const scoredRows = stats.reduce((n, s) => n + s.scoredRows, 0);
    const executions = stats.reduce((n, s) => n + s.executions, 0);
    return { label, events: written, report, cpuPer1000: (cpu / written) * 1000, warmCpuPer1000: (warmCpu / Math.max(1, warmEvents)) * 1000, mainThreadPer1000: (mainThread / written) * 1000, idleCores, eventCpuPer1000: (Math.max(0, cpu - idleCores * seconds) / written) * 1000, seconds, globalRecords, alignmentRecords, scoredRows, executions };
  } finally {
    await Promise.all(children.map((c) => (c.current === 'running' ? c.kill('SIGKILL') : undefined)));
    const admin = kafka.admin();
    await admin.connect();
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(`${appId}-`) || Object.values(topics).includes(t));
    await admin.deleteTopics({ topics: mine }).catch(() => undefined);
    await admin.disconnect();
    // Kept after a failure: the processes' logs are there.
    if (succeeded && !o.keepState) fs.rmSync(stateDir, { recursive: true, force: true });
    else process.stdout.write(`${label}: state and logs kept in ${stateDir}\n`);
  }
}

/** Records a topic holds (sum over partitions of high watermark less log start). */
async function topicRecords(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

async function main(): Promise<void> {
  const { configs, ...o } = parseScriptOptions<{ configs: Array<[number, number]> } & BenchOptions>(options);
  process.stdout.write(`${formatMachineBanner(machineInfo())}\n`);
  process.stdout.write(`settings: --configs ${configs.map((c) => c.join('x')).join(',')} --events ${o.events} --rate ${o.rate} --seed ${o.seed} --warmup-events ${o.warmupEvents} --idle-settle ${o.idleSettle}${o.nodeFlags ? ` --node-flags '${o.nodeFlags}'` : ''}\n`);
  const results: RunResult[] = [];
  for (const [partitions, processes] of configs) {
    const r = await runConfig(partitions, processes, o);
    results.push(r);
    process.stdout.write(`\n${r.label}: ${r.events} events in ${r.seconds.toFixed(1)} s (written at ${o.rate}/s, then drained)\n${formatEvaluationReport(r.report)}\n`);
    process.stdout.write(`CPU of the app's processes: ${r.cpuPer1000.toFixed(2)} s per 1,000 events (main threads ${r.mainThreadPer1000.toFixed(2)} s, other threads ${(r.cpuPer1000 - r.mainThreadPer1000).toFixed(2)} s); idle ${r.idleCores.toFixed(3)} cores; less idle: ${r.eventCpuPer1000.toFixed(2)} s per 1,000 events;${o.warmupEvents > 0 ? ` after ${o.warmupEvents} events: ${r.warmCpuPer1000.toFixed(2)} s per 1,000 events;` : ''} global-store records published: ${r.globalRecords} (${((r.globalRecords / r.events) * 1000).toFixed(0)} per 1,000 events); candidates scored: ${r.scoredRows} (${((r.scoredRows / r.events)).toFixed(1)} per event, ${(r.scoredRows / Math.max(1, r.executions)).toFixed(0)} per model run); frontier reports: ${r.alignmentRecords}\n`);
  }
  const base = results[0];
  process.stdout.write(`\nagainst ${base.label}:\n`);
  for (const r of results) {
    const ratios = r.report.flagship.map((f, i) => `HitRate@${f.k} ${(f.hitRate / base.report.flagship[i].hitRate).toFixed(3)}x (${f.hitRate.toFixed(4)}), NDCG@${f.k} ${(f.ndcg / base.report.flagship[i].ndcg).toFixed(3)}x`);
    process.stdout.write(`  ${r.label}: ${ratios.join(', ')}, CPU/1,000 events ${(r.cpuPer1000 / base.cpuPer1000).toFixed(2)}x, less idle ${(r.eventCpuPer1000 / base.eventCpuPer1000).toFixed(2)}x${o.warmupEvents > 0 ? `, after warm-up ${(r.warmCpuPer1000 / base.warmCpuPer1000).toFixed(2)}x` : ''}\n`);
  }
}

main().then(
  // A client of the run (the evaluation's reader, an admin) can keep the loop alive after the report: exit.
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    process.stderr.write(`flagship-partitions: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
