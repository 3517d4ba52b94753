/**
 * End-to-end latency of the flagship (examples/home-feed) at fixed input rates, on the real
 * local broker and registry. Per rate: fresh topics and application (its own process, as the
 * demo runs it), the pin catalogue, then generated engagement/image events at the rate for a
 * warm-up, a measured window and a tail; for every recommendation whose triggering event falls
 * in the window, latency = arrival at a consumer − the triggering event's event time (which the
 * feeder stamps from the wall clock as it sends, so it is also the produce time). Prints
 * p50/p99/max per rate, the achieved input rate, whether the app kept up (lag at the end) and
 * the highest rate sustained with p99 under the limit; writes the section `flagship-latency`
 * of bench/results.json.
 *
 *   node dist/bench/flagship-latency.js [--rates 50,100,1000,5000,20000] [--seconds 20] [--warmup 5]
 *     [--drain 10] [--users 2000] [--pins 1000] [--seed 42] [--p99-limit-ms 250] [--dump FILE.jsonl]
 *
 * Needs the local services (npm run services:start) and a build (npx tsc -p tsconfig.json).
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { loadTopology, formatProblem } from '../topology';
import { HOME_FEED_TOPOLOGY } from '../examples/home-feed/home-feed-app';
import { HOME_FEED_PARTITIONS } from '../examples/home-feed/home-feed-partitions';
import { RANKER_DIR } from '../examples/home-feed/home-feed-replay';
import {
  DEFAULT_BROKERS, DEFAULT_REGISTRY_URL, benchKafka, formatMachineBanner, formatResultsTable, machineInfo, writeResultsSection,
} from './harness';
import { runFlagshipRate, type FlagshipRateRun } from './harness/flagship-rate-run';
import { highestSustainedRate, keptUp } from '../test/helpers/sustained-rate';
import { integerOption, listOption, positiveOption } from '../runtime/cli/option-parsers';
import { parseScriptOptions, scriptCommand } from '../test/helpers/script-options';

interface Options {
  rates: number[];
  seconds: number;
  warmup: number;
  drain: number;
  users: number;
  pins: number;
  seed: number;
  p99LimitMs: number;
  /** Write every measured arrival (JSON lines) to this file. */
  dump?: string;
  /** Write a V8 CPU profile of the application process per rate under this folder. */
  profileDir?: string;
  allocationProfileDir?: string;
}

function parseOptions(argv: readonly string[]): Options {
  const command = scriptCommand('dist/bench/flagship-latency.js', 'end-to-end latency of the flagship at fixed input rates (needs the local services)')
    .option('--rates <list>', 'input rates, events/s, comma-separated', listOption(positiveOption('--rates')), [50, 100, 1000, 5000, 20000])
    .option('--seconds <s>', 'measured window per rate', positiveOption('--seconds'), 20)
    .option('--warmup <s>', 'warm-up before the window', positiveOption('--warmup'), 5)
    .option('--drain <s>', 'tail after the window', positiveOption('--drain'), 10)
    .option('--users <n>', 'generated users', integerOption('--users', 1), 2000)
    .option('--pins <n>', 'pins in the catalogue', integerOption('--pins', 1), 1000)
    .option('--seed <n>', 'generator seed', integerOption('--seed', 0), 42)
    .option('--p99-limit-ms <ms>', 'p99 a rate must stay under to count as sustained', positiveOption('--p99-limit-ms'), 250)
    .option('--dump <file>', 'write every measured arrival (JSON lines) to this file')
    .option('--profile-dir <dir>', 'write a V8 CPU profile of the application process per rate there (node --cpu-prof), to see where the CPU goes')
    .option('--allocation-profile-dir <dir>', 'write an allocation profile of the application process per rate there (collected objects included), to see what the garbage collector is given');
  return parseScriptOptions<Options>(command, argv);
}

/** The `settle` debounce interval of the flagship topology, ms: engagement updates are held that long by design. */
function settleIntervalMs(): number {
  const { topology, problems } = loadTopology(HOME_FEED_TOPOLOGY, { env: { ...process.env, RANKER_DIR } });
  if (!topology) throw new Error(`flagship topology has problems:\n${problems.map(formatProblem).join('\n')}`);
  for (const node of Object.values(topology.nodes)) {
    if (node.kind === 'processor' && node.spec.name === 'debounce') return Number(node.options.interval);
  }
  return 0;
}

type Row = Record<string, string | number | boolean | null>;

const round = (x: number | null): number | null => (x === null ? null : Math.round(x));

/** Input and repartition records left after the drain wait: kept up means the internal topics drained too (their records are work the input caused). */
function totalLagAfterDrain(r: FlagshipRateRun): number | null {
  return r.lagAfterDrain === null || r.internalLagAfterDrain === null ? null : r.lagAfterDrain + r.internalLagAfterDrain;
}

function rowOf(r: FlagshipRateRun, limit: number): Row {
  const sustained = keptUp({ rate: r.rate, achievedRate: r.achievedRate, lagAfterDrain: totalLagAfterDrain(r), p99Ms: r.net.p99Ms });
  return {
    'rate/s': r.rate,
    'achieved/s': Math.round(r.achievedRate),
    updates: r.raw.count,
    'eng/hide/new_pin': `${r.byTrigger.engagement ?? 0}/${r.byTrigger.hide ?? 0}/${r.byTrigger.new_pin ?? 0}`,
    'p50 ms': round(r.raw.p50Ms), 'p99 ms': round(r.raw.p99Ms), 'max ms': round(r.raw.maxMs),
    'net p50 ms': round(r.net.p50Ms), 'net p99 ms': round(r.net.p99Ms), 'net max ms': round(r.net.maxMs),
    'net p99 eng/hide/new_pin ms': ['engagement', 'hide', 'new_pin'].map((t) => round(r.netByTrigger[t]?.p99Ms ?? null) ?? '-').join('/'),
    'app in/s': round(r.appRate),
    'lag at stop': r.lagAtStop, 'lag after drain': r.lagAfterDrain,
    'internal lag at stop': r.internalLagAtStop, 'internal lag after drain': r.internalLagAfterDrain,
    'kept up': sustained,
    [`net p99 < ${limit}`]: sustained && r.net.p99Ms !== null && r.net.p99Ms < limit,
    'bench loop p99 ms': Math.round(r.benchLoopDelayP99Ms * 10) / 10,
  };
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv);
  const machine = machineInfo();
  console.log(formatMachineBanner(machine));
  const settleMs = settleIntervalMs();
  const tailS = Math.ceil(settleMs / 1000) + 1;
  console.log(`workload: flagship topology examples/home-feed/topology.yaml (${HOME_FEED_PARTITIONS}-partition inputs, at_least_once, 1 scoring worker thread) in its own process; ${opts.users} users, ${opts.pins} catalogue pins (seed ${opts.seed}); per rate: ${opts.warmup} s warm-up + ${opts.seconds} s measured + ${tailS} s tail, then up to ${opts.drain} s for the app to commit its input`);
  console.log(`latency: arrival at a consumer of the output topic − event time of the triggering event (the output record's Kafka timestamp). The feeder stamps event time from the wall clock as it sends, so event time = produce time; only updates triggered inside the measured window count. Engagement updates wait out the topology's ${settleMs} ms settle debounce by design: "net" subtracts it (hide and new_pin updates are not held).`);

  const kafka = benchKafka(DEFAULT_BROKERS, 'flagship-latency');
  const runs: FlagshipRateRun[] = [];
  const notes: string[] = [];
  for (const rate of opts.rates) {
    try {
      const r = await runFlagshipRate({
        kafka, brokers: DEFAULT_BROKERS, registryUrl: DEFAULT_REGISTRY_URL, rate, warmupS: opts.warmup, measureS: opts.seconds, tailS,
        drainS: opts.drain, settleMs, seed: opts.seed, users: opts.users, pins: opts.pins, print: (l) => console.log(l), profileDir: opts.profileDir, allocationProfileDir: opts.allocationProfileDir,
      });
      runs.push(r);
      const drained = r.drainedInMs === null ? `NOT caught up: ${r.lagAfterDrain ?? '?'} input and ${r.internalLagAfterDrain ?? '?'} repartition records uncommitted ${opts.drain} s after the feed stopped` : `caught up ${(r.drainedInMs / 1000).toFixed(1)} s after the feed stopped`;
      console.log(`  ${rate} events/s: achieved ${Math.round(r.achievedRate)}/s, ${r.raw.count} updates in the window, p50 ${round(r.raw.p50Ms) ?? '-'} ms, p99 ${round(r.raw.p99Ms) ?? '-'} ms (net ${round(r.net.p99Ms) ?? '-'} ms), lag at stop ${r.lagAtStop ?? '?'}, ${drained}`);
      for (const p of r.problems) {
        console.log(`  ${rate} events/s: ${p}`);
        notes.push(`${rate} events/s: ${p}`);
      }
    } catch (err) {
      const line = `${rate} events/s: run failed: ${(err as Error).message}`;
      console.log(`  ${line}`);
      notes.push(line);
    }
  }

  const rows = runs.map((r) => rowOf(r, opts.p99LimitMs));
  const outcomes = (pick: (r: FlagshipRateRun) => number | null) => runs.map((r) => ({ rate: r.rate, achievedRate: r.achievedRate, lagAfterDrain: totalLagAfterDrain(r), p99Ms: pick(r) }));
  const bestRaw = highestSustainedRate(outcomes((r) => r.raw.p99Ms), opts.p99LimitMs);
  const bestNet = highestSustainedRate(outcomes((r) => r.net.p99Ms), opts.p99LimitMs);
  const tried = opts.rates.join(', ');
  const lines = [
    `highest rate sustained with p99 < ${opts.p99LimitMs} ms, event time → arrival, all updates: ${bestRaw === null ? `none of ${tried} events/s` : `${bestRaw} events/s`}${settleMs >= opts.p99LimitMs ? ` (engagement updates are held ${settleMs} ms by the settle debounce, so this cannot pass while they are counted)` : ''}`,
    `highest rate sustained with p99 < ${opts.p99LimitMs} ms net of the ${settleMs} ms settle debounce: ${bestNet === null ? `none of ${tried} events/s` : `${bestNet} events/s`}`,
    'kept up = achieved ≥ 95% of the rate and every input and repartition record committed by the app within the drain bound; when it did not keep up, the percentiles cover only the updates that arrived and understate the latency',
    'app in/s: input events the app committed per second from the feed start to the end of the drain wait (commits trail by up to the 1 s commit interval)',
    'bench loop p99: event-loop delay of the measuring process (feeder + consumer) in the window, the bound on how late an arrival was noted',
    `1-minute load average after the runs: ${Math.round(loadavg()[0]! * 100) / 100} on ${cpus().length} cores`,
  ];
  console.log('');
  if (rows.length > 0) console.log(formatResultsTable(Object.keys(rows[0]!), rows));
  for (const l of [...lines, ...notes]) console.log(l);
  if (opts.dump) writeFileSync(opts.dump, runs.flatMap((r) => r.arrivals.map((a) => JSON.stringify({ rate: r.rate, ...a }))).join('\n') + '\n');
  writeResultsSection('flagship-latency', { machine, rows, notes: [...lines, ...notes] });
  if (runs.length < opts.rates.length) process.exitCode = 1;
}

main().catch((err: Error) => {
  console.error(`flagship-latency: ${err.message}`);
  process.exitCode = 1;
});
