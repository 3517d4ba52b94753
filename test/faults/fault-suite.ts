/**
 * The fault-injection suite: runs an application under test on a broker of its own while
 * input streams in, injects faults, then verifies every output and dead letter.
 *
 * Faults: SIGKILL of the processor at random moments (every `--wipe-state-every`-th one also
 * removes its whole state directory before the restart), broker restarts mid-run, rebalances
 * (a second instance joins, then leaves), 1% poison records and 0.5% records from a
 * schema-incompatible producer (another schema's id and body) throughout; both must be
 * dead-lettered. With `--scoring`, Tributary runs bench-count-sum-scored.yaml (count+sum, then a
 * score by bench/models/count-sum-scorer) against 2 remote `tributary worker` processes the suite
 * starts (one over HTTP, one over gRPC; 1 local worker thread as the fallback), and the plan
 * adds scoring faults: `worker-crash` (SIGKILL of a worker, restarted on the same ports a few
 * seconds later) and `worker-hang` (SIGSTOP of a worker for `--hang-ms`, then SIGCONT).
 *
 *   node dist/test/faults/fault-suite.js [--short | --crash] [--app tributary|kafka-streams]
 *     [--guarantee exactly_once|at_least_once] [--kills 20] [--records 30000] [--rate 150]
 *     [--poison-rate 0.01] [--broker-restarts 1] [--rebalances 2] [--wipe-state-every 5] [--incompatible-rate 0.005] [--seed 42] [--keep]
 *     [--scoring [--worker-crashes 2] [--worker-hangs 2] [--hang-ms 10000] [--remote-workers 2] [--local-scoring-workers 1]]
 *     [--instances 2]  (processes of the app throughout; kills take turns among them)
 *     [--session-timeout 6s]  (Tributary's processing.sessionTimeout; default 30s)
 *
 * `--short` (CI): 3 kills (one with its state removed), 1 broker restart, 1 rebalance,
 * 6,000 records. `--crash`: 10 SIGKILLs (two with the state removed) while 200,000 records
 * over 20,000 keys stream in at 1,000/s, no other faults. Exit status 0 only when the verifier prints ALL-RECORDS-DELIVERED (and,
 * under exactly-once, nothing is duplicated).
 */
// First: kafkajs' fixes (read_committed, produce grouping) must be in place before kafkajs loads (see the module).
import '../../runtime/kafka/client/kafkajs/kafkajs-patches';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { produceBenchInput } from '../helpers/bench-input-producer';
import { BENCH_AGGREGATE_SCHEMA_PATH, loadAvsc } from '../helpers/bench-schemas';
import { benchKafka, createRandomTopic } from '../helpers/kafka-topics';
import { formatMachineBanner, machineInfo, REPO_ROOT } from '../helpers/machine-info';
import { DEFAULT_REGISTRY_URL, registerAvroSchema } from '../helpers/schema-registration';
import { defaultCountSumScorerDir } from '../helpers/generate-count-sum-scorer';
import { kafkaStreamsApp, SCORED_FAULT_TOPOLOGY, tributaryApp, tributaryScoredApp, type AppUnderTest, type AppWiring } from './app-under-test';
import { countShortfall, countSumExpectation, countSumOutputIdentity, eitherOf, poisonEvery, poisonIdentity } from './count-sum-expectation';
import { formatDeliveryReport, type DeliveryGuarantee } from './delivery-verifier';
import { waitForGroupCaughtUp } from './group-progress';
import type { ManagedProcess } from '../helpers/managed-process';
import { OutputProgressProbe } from './output-progress-probe';
import { verifyOutputs } from './output-verifier';
import { PrivateBroker } from './private-broker';
import { ScoringWorkerFleet } from './scoring-worker-fleet';
import { median } from '../../core/percentile';
import { choiceOption, integerOption, numberOption, positiveOption } from '../../runtime/cli/option-parsers';
import { parseScriptOptions, scriptCommand } from '../helpers/script-options';

export interface SuiteOptions {
  app: AppUnderTest;
  guarantee: DeliveryGuarantee;
  kills: number;
  brokerRestarts: number;
  records: number;
  keys: number;
  rate: number;
  poisonRate: number;
  seed: number;
  rebalances: number;
  /** Processes of the app running throughout (kills take turns among them). */
  instances: number;
  wipeStateEvery: number;
  incompatibleRate: number;
  keep: boolean;
  /** Run the scored topology against remote scoring workers and inject worker faults. */
  scoring: boolean;
  workerCrashes: number;
  workerHangs: number;
  hangMs: number;
  /** Remote `tributary worker` processes (`--remote` endpoints of the app). */
  remoteWorkers: number;
  /** The app's local scoring threads (`--scoring-workers`): the fallback when no endpoint answers; 0 = none. */
  localScoringWorkers: number;
  /** Tributary's `processing.sessionTimeout` (the SESSION_TIMEOUT of its topology); absent: the topology's default. */
  sessionTimeout?: string;
  /** Standby replicas of both apps (Tributary's processing.standbyReplicas, the peer's num.standby.replicas). */
  standbyReplicas: number;
}

/** The presets: `--short` for CI; `--crash`, the state issue's crash test (SIGKILLs only, every fifth also wipes the state). */
const presets = {
  short: { kills: 3, brokerRestarts: 1, rebalances: 1, wipeStateEvery: 3, records: 6_000, rate: 50 },
  crash: { kills: 10, brokerRestarts: 0, rebalances: 0, wipeStateEvery: 5, records: 200_000, keys: 20_000, rate: 1000 },
} as const;

/** The suite's options from a command line (node and script first, as Node passes it); ends the process on --help or a usage error. */
export function parse(argv: readonly string[]): SuiteOptions {
  const o: SuiteOptions = { app: tributaryApp, guarantee: 'exactly_once', kills: 20, brokerRestarts: 1, rebalances: 2, instances: 1, wipeStateEvery: 5, incompatibleRate: 0.005, records: 30_000, keys: 2_000, rate: 150, poisonRate: 0.01, seed: 42, keep: false, scoring: false, workerCrashes: -1, workerHangs: -1, hangMs: 10_000, remoteWorkers: 2, localScoringWorkers: 1, standbyReplicas: 0 };
  const count = (flag: string) => integerOption(flag, 0);
  const share = (flag: string) => numberOption(flag, (n) => n >= 0 && n <= 1, 'a share from 0 to 1');
  // No commander defaults: a value given on the command line overrides the preset, whatever the order.
  const command = scriptCommand('dist/test/faults/fault-suite.js', 'fault injection: an application under test on a broker of its own, with kills, broker restarts, rebalances, poison and incompatible records; verifies every output')
    .option('--short', `CI preset: ${JSON.stringify(presets.short)}`)
    .option('--crash', `crash-test preset: ${JSON.stringify(presets.crash)}`)
    .option('--app <name>', 'tributary | kafka-streams (default: tributary)', choiceOption('--app', ['tributary', 'kafka-streams'] as const))
    .option('--guarantee <g>', `exactly_once | at_least_once (default: ${o.guarantee})`, choiceOption('--guarantee', ['exactly_once', 'at_least_once'] as const))
    .option('--kills <n>', `SIGKILLs of the processor (default: ${o.kills})`, count('--kills'))
    .option('--broker-restarts <n>', `broker restarts mid-run (default: ${o.brokerRestarts})`, count('--broker-restarts'))
    .option('--rebalances <n>', `a second instance joins, then leaves (default: ${o.rebalances})`, count('--rebalances'))
    .option('--instances <n>', `processes of the app throughout; kills take turns (default: ${o.instances})`, integerOption('--instances', 1))
    .option('--wipe-state-every <n>', `every n-th kill also removes the state directory (default: ${o.wipeStateEvery})`, integerOption('--wipe-state-every', 1))
    .option('--incompatible-rate <share>', `records from a schema-incompatible producer (default: ${o.incompatibleRate})`, share('--incompatible-rate'))
    .option('--records <n>', `input records (default: ${o.records})`, integerOption('--records', 1))
    .option('--keys <n>', `distinct keys (default: ${o.keys})`, integerOption('--keys', 1))
    .option('--rate <records/s>', `input rate (default: ${o.rate})`, positiveOption('--rate'))
    .option('--poison-rate <share>', `poison records (default: ${o.poisonRate})`, share('--poison-rate'))
    .option('--seed <n>', `seed of the fault plan and input (default: ${o.seed})`, count('--seed'))
    .option('--keep', 'keep the topics and state afterwards')
    .option('--scoring', 'run the scored topology against remote scoring workers and inject worker faults')
    .option('--worker-crashes <n>', 'SIGKILLs of a scoring worker (default: 2 with --scoring)', count('--worker-crashes'))
    .option('--worker-hangs <n>', 'SIGSTOPs of a scoring worker (default: 2 with --scoring)', count('--worker-hangs'))
    .option('--hang-ms <ms>', `how long a hung worker stays stopped (default: ${o.hangMs})`, integerOption('--hang-ms', 1))
    .option('--remote-workers <n>', `remote tributary worker processes (default: ${o.remoteWorkers})`, integerOption('--remote-workers', 1))
    .option('--local-scoring-workers <n>', `the app's local scoring threads, the fallback; 0 = none (default: ${o.localScoringWorkers})`, count('--local-scoring-workers'))
    .option('--session-timeout <duration>', "Tributary's processing.sessionTimeout, e.g. 6s (default: the topology's, 30s)")
    .option('--standby-replicas <n>', `standby replicas of either app (Tributary's processing.standbyReplicas, Kafka Streams' num.standby.replicas; default: ${o.standbyReplicas})`, count('--standby-replicas'));
  const given = parseScriptOptions<Partial<Omit<SuiteOptions, 'app'>> & { app?: 'tributary' | 'kafka-streams'; short?: boolean; crash?: boolean }>(command, argv);
  if (given.short && given.crash) throw new Error('choose one of --short and --crash');
  const { short, crash, app, ...values } = given;
  Object.assign(o, short ? presets.short : crash ? presets.crash : {}, values);
  if (app !== undefined) o.app = app === 'tributary' ? tributaryApp : kafkaStreamsApp;
  if (!o.scoring && (o.workerCrashes > 0 || o.workerHangs > 0)) throw new Error('--worker-crashes and --worker-hangs need --scoring');
  if (o.scoring && o.app !== tributaryApp) throw new Error('--scoring runs Tributary only (the Kafka Streams peer does not score)');
  if (o.scoring && !(o.remoteWorkers >= 1)) throw new Error('--remote-workers must be at least 1');
  if (o.sessionTimeout !== undefined && o.app !== tributaryApp) throw new Error('--session-timeout sets Tributary\'s processing.sessionTimeout (the Kafka Streams peer has its own, 6 s)');
  // Scoring faults default to 2 of each, only when scoring is on.
  o.workerCrashes = o.scoring ? (o.workerCrashes < 0 ? 2 : o.workerCrashes) : 0;
  o.workerHangs = o.scoring ? (o.workerHangs < 0 ? 2 : o.workerHangs) : 0;
  return o;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));


async function main(): Promise<void> {
  const o = parse(process.argv);
  console.log(formatMachineBanner(machineInfo()));
  const why = o.app.unavailable();
  if (why) {
    console.log(`${o.app.name}: ${why}`);
    process.exitCode = 2;
    return;
  }
  const workDir = mkdtempSync(join(tmpdir(), 'tributary-faults-'));
  if (o.sessionTimeout !== undefined) {
    // The apps inherit the environment: the topology reads ${SESSION_TIMEOUT:-30s}.
    process.env.SESSION_TIMEOUT = o.sessionTimeout;
  }
  // Both apps read it from the environment (the topology's ${STANDBY_REPLICAS:-0}, the peer's --standby-replicas).
  process.env.STANDBY_REPLICAS = String(o.standbyReplicas);
  console.log(`app under test: ${o.app.name}, ${o.guarantee}; ${o.records} records over ${o.keys} keys at ${o.rate}/s, poison ${o.poisonRate * 100}%, schema-incompatible ${o.incompatibleRate * 100}%${o.sessionTimeout ? `, session timeout ${o.sessionTimeout}` : ''}${o.standbyReplicas > 0 ? `, ${o.standbyReplicas} standby replica(s)` : ''}, ${o.instances} instance(s); work dir ${workDir}`);
  const broker = await PrivateBroker.start(join(workDir, 'broker'));
  console.log(`broker of the suite's own at ${broker.bootstrap}`);
  const kafka = benchKafka([broker.bootstrap], 'tributary-faults', true);
  const apps: ManagedProcess[] = [];
  let probe: OutputProgressProbe | undefined;
  let fleet: ScoringWorkerFleet | undefined;
  // Interrupted: take the app, the scoring workers and the broker down with us rather than leave them running.
  const onSignal = (): void => {
    void Promise.all([...apps.map((a) => a.kill('SIGKILL')), fleet?.stop(), broker.stop()]).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const [inputTopic, outputTopic, dlqTopic] = [await createRandomTopic(kafka, 'faults-in', 6), await createRandomTopic(kafka, 'faults-out', 6), await createRandomTopic(kafka, 'faults-dlq', 1)];
    const wiring: AppWiring = {
      brokers: [broker.bootstrap], inputTopic, outputTopic, dlqTopic, applicationId: `faults-${randomUUID()}`, guarantee: o.guarantee,
      outputSchemaId: await registerAvroSchema(DEFAULT_REGISTRY_URL, `${outputTopic}-value`, loadAvsc(BENCH_AGGREGATE_SCHEMA_PATH).json), workDir,
    };
    const plan = { records: o.records, keys: o.keys, seed: o.seed };
    const isPoison = poisonEvery(o.poisonRate);
    const isIncompatible = poisonEvery(o.incompatibleRate, 37);
    const isBad = eitherOf(isPoison, isIncompatible);
    if (o.scoring) {
      fleet = await ScoringWorkerFleet.start(o.remoteWorkers, defaultCountSumScorerDir, workDir);
      console.log(`scoring: ${relative(REPO_ROOT, SCORED_FAULT_TOPOLOGY)}, model ${relative(REPO_ROOT, defaultCountSumScorerDir)}, remote tributary workers ${fleet.endpoints.join(' and ')}, `
        + `${o.localScoringWorkers > 0 ? `${o.localScoringWorkers} local worker thread(s) as the fallback` : 'no local fallback'}`);
      o.app = tributaryScoredApp({ endpoints: fleet.endpoints, localWorkers: o.localScoringWorkers, modelDir: defaultCountSumScorerDir });
    }
    probe = new OutputProgressProbe(kafka, outputTopic);
    for (let i = 0; i < o.instances; i++) apps.push(o.app.start(wiring, i));
    let producing = true;
    let inputEndedAt = 0;
    const produced = produceBenchInput({ kafka, topic: inputTopic, registryUrl: DEFAULT_REGISTRY_URL, ...plan, ratePerSec: o.rate, batchSize: 200, poison: isPoison, incompatible: isIncompatible })
      .finally(() => { producing = false; inputEndedAt = Date.now(); });
    produced.catch(() => undefined);

    // Faults are spread over the input's duration (each after the app produced again).
    const faults: { kind: string; at: number; restartedAt: number; endedAt?: number }[] = [];
    // The fault plan: kills (every wipeStateEvery-th also removes the state), with rebalances
    // and broker restarts spread between them at distinct places.
    const faultPlan: ('sigkill' | 'wipe' | 'rebalance' | 'broker' | 'worker-crash' | 'worker-hang')[] = Array.from({ length: o.kills }, (_, i) => (o.wipeStateEvery > 0 && (i + 1) % o.wipeStateEvery === 0 ? 'wipe' : 'sigkill'));
    const spread = (kind: 'rebalance' | 'broker' | 'worker-crash' | 'worker-hang', count: number, shift: number, within = 1): void => {
      for (let i = count - 1; i >= 0; i--) faultPlan.splice(Math.min(faultPlan.length, Math.floor(((i + shift) * faultPlan.length * within) / count)), 0, kind);
    };
    spread('rebalance', o.rebalances, 0.33);
    spread('broker', o.brokerRestarts, 0.66);
    // Scoring faults go in the first 60% of the plan: later ones tend to come after the input ended, when nothing is scored.
    spread('worker-crash', o.workerCrashes, 0.1, 0.6);
    spread('worker-hang', o.workerHangs, 0.5, 0.6);
    let workerCrashes = 0;
    let workerHangs = 0;
    const total = faultPlan.length;
    const spanMs = (o.records / o.rate) * 1000;
    let rnd = o.seed;
    const random = (): number => { rnd = (rnd * 1103515245 + 12345) % 2147483648; return rnd / 2147483648; };
    console.log(`faults planned: ${faultPlan.join(' ')}`);
    const appStarted = Date.now();
    // A worker fault before the app's first output would hit a pool that has sent nothing yet.
    const untilScoring = async (): Promise<void> => {
      while (probe!.recoveryMs(appStarted) === null && Date.now() - appStarted < 180_000) await sleep(200);
    };
    for (let n = 0; n < total; n++) {
      // Wait until the app has produced since the last fault, then a random moment more.
      const lastFault = faults.at(-1);
      const settleDeadline = Date.now() + 120_000;
      // Once the input has ended there may be no new output to wait for: settle a fixed time instead.
      while (lastFault && producing && probe.recoveryMs(lastFault.at, lastFault.restartedAt) === null && Date.now() < settleDeadline) await sleep(100);
      if (!producing) await sleep(5000);
      await sleep(300 + random() * Math.max(1000, (spanMs / total) * 0.8));
      const kind = faultPlan[n]!;
      if (kind === 'worker-crash' || kind === 'worker-hang') await untilScoring();
      const at = Date.now();
      const when = producing ? '' : ' after input ended';
      if (kind === 'broker') {
        const downMs = await broker.restart('SIGTERM', 2000);
        faults.push({ kind: 'broker-restart', at, restartedAt: Date.now() });
        console.log(`fault ${n + 1}/${total}: broker restart (down ${downMs} ms)${when}`);
      } else if (kind === 'rebalance') {
        // A second instance joins (partitions move to it), works a while, then leaves cleanly.
        const second = o.app.start(wiring, apps.length);
        await sleep(8000 + random() * 4000);
        await second.kill('SIGTERM');
        faults.push({ kind: 'rebalance', at, restartedAt: Date.now() });
        console.log(`fault ${n + 1}/${total}: rebalance (second instance joined, then stopped)${when}`);
      } else if (kind === 'worker-crash') {
        // Alternate workers (HTTP, gRPC); the other one and the local fallback carry the traffic meanwhile.
        const i = workerCrashes++ % fleet!.size;
        await fleet!.crash(i);
        await sleep(3000 + random() * 4000);
        await fleet!.restart(i);
        faults.push({ kind: 'worker-crash', at, restartedAt: at, endedAt: Date.now() });
        console.log(`fault ${n + 1}/${total}: worker-crash: SIGKILL of scoring worker ${i} (${fleet!.endpoint(i)}), restarted on the same ports ${Date.now() - at} ms later${when}`);
      } else if (kind === 'worker-hang') {
        const i = (workerHangs++ + 1) % fleet!.size;
        fleet!.hang(i);
        await sleep(o.hangMs);
        fleet!.resume(i);
        faults.push({ kind: 'worker-hang', at, restartedAt: at, endedAt: Date.now() });
        console.log(`fault ${n + 1}/${total}: worker-hang: SIGSTOP of scoring worker ${i} (${fleet!.endpoint(i)}) for ${o.hangMs} ms, then SIGCONT${when}`);
      } else if (kind === 'wipe') {
        const i = n % apps.length;
        await apps[i].kill('SIGKILL');
        rmSync(join(workDir, `state-${i}`), { recursive: true, force: true });
        apps[i] = o.app.start(wiring, i);
        faults.push({ kind: 'sigkill+wipe-state', at, restartedAt: Date.now() });
        console.log(`fault ${n + 1}/${total}: SIGKILL of ${o.app.name} instance ${n % apps.length} and its state directory removed${when}`);
      } else {
        const i = n % apps.length;
        await apps[i].kill('SIGKILL');
        apps[i] = o.app.start(wiring, i);
        faults.push({ kind: 'sigkill', at, restartedAt: Date.now() });
        console.log(`fault ${n + 1}/${total}: SIGKILL of ${o.app.name} instance ${n % apps.length}${when}`);
      }
    }
    const input = await produced;
    const caughtUp = await waitForGroupCaughtUp(kafka, wiring.applicationId, inputTopic, 180_000);
    for (const a of apps) await a.kill('SIGTERM');
    await probe.stop();
    const remoteRows = fleet ? await fleet.rowsScored() : [];
    const recoveries = faults.map((f) => probe!.recoveryMs(f.at, f.restartedAt)).filter((r): r is number => r !== null).sort((a, b) => a - b);
    const exp = countSumExpectation(plan, isBad, o.guarantee);
    const report = await verifyOutputs({
      kafka, guarantee: o.guarantee, outputTopic, outputIdentity: countSumOutputIdentity(o.guarantee), expectedOutputs: exp.outputs,
      dlqTopic, dlqIdentity: poisonIdentity, expectedDlq: exp.poison,
    });
    console.log('');
    const kinds = [...new Set(faults.map((f) => f.kind))].map((k) => `${faults.filter((f) => f.kind === k).length} ${k}`).join(', ');
    console.log(`faults injected: ${faults.length} (${kinds})`);
    console.log(`records in: ${input.records} (poison ${input.poisoned}, from a schema-incompatible producer ${input.incompatible})`);
    console.log(`caught up: ${caughtUp ? 'yes' : 'NO (group did not commit every input offset within 180 s)'}`);
    console.log(`recovery per fault: p50 ${recoveries.length > 0 ? median(recoveries) : '-'} ms, max ${recoveries.at(-1) ?? '-'} ms (${recoveries.length}/${faults.length} measured: fault to the moment every output partition has produced again)`);
    const firstFault = faults.find((f) => f.at < inputEndedAt);
    const worstGap = firstFault ? probe.longestPartitionGapMs(firstFault.at, inputEndedAt) : null;
    console.log(`longest stall of any output partition, first fault → end of input: ${worstGap ?? '-'} ms${firstFault ? '' : ' (no fault while input flowed)'}`);
    if (fleet) {
      // The app stays up through a worker fault: what matters is whether its output stalled meanwhile.
      const stalls = faults.filter((f) => f.kind === 'worker-crash' || f.kind === 'worker-hang')
        .map((f) => `${f.kind} ${probe!.longestGapMs(f.at, f.endedAt ?? f.at) ?? '-'} ms`);
      console.log(`scoring faults, longest gap between outputs while each lasted: ${stalls.join(', ') || '-'}`);
      console.log(`rows scored by the remote workers: ${remoteRows.map((r, i) => `${fleet!.endpoint(i)} ≥${r}`).join(', ')}${o.localScoringWorkers > 0 ? ' (the rest by the local fallback)' : ''}`);
    }
    if (o.guarantee === 'at_least_once') console.log(`inputs whose effect is missing (per key, highest count short of the expected): ${countShortfall(exp.outputs, report.observedIds)}`);
    console.log(formatDeliveryReport(report));
    for (const id of report.examples.dlqDuplicated.map((e) => e.split(' ')[0]!)) console.log(`  ${id}: ${(report.dlqPositions.get(id) ?? []).join('; ')}`);
    process.exitCode = report.ok && caughtUp ? 0 : 1;
  } finally {
    for (const a of apps) await a.kill('SIGKILL');
    await probe?.stop();
    await fleet?.stop();
    await broker.stop();
    if (!o.keep) rmSync(workDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((err: Error) => {
    console.error(`fault suite: ${err.stack ?? err.message}`);
    process.exitCode = 1;
  });
}
