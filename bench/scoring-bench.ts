/**
 * Scoring benchmark. Prints, on the flagship ranking model:
 *  1. rows/s through the `score` operator (records in, scores out, dynamic
 *     batching on, local worker threads) against raw `session.run` on the
 *     same model at the same batch size, in this same process (goal ≥ 0.6×);
 *  2. latency p50/p99 per request at a fixed request rate (open loop);
 *  3. at 256-row requests, 4 in flight: a remote `tributary worker` over HTTP and
 *     over gRPC against a local worker thread (goal ≥ 0.8× both), and the worker
 *     process's CPU per row against raw onnxruntime's (goal ≤ 1.3×), for a worker
 *     with one worker thread (`--workers 1`, the default) and one running its
 *     session on the event-loop thread (`--workers 0`);
 *  4. p50 of a lone 1-row request, one at a time: raw session.run, the local
 *     pool, and the remote worker over HTTP and gRPC (goal: within 0.5 ms of raw).
 * Usage: node dist/bench/scoring-bench.js [--quick] [--write-results] [--profile-worker DIR] [--worker-cpus LIST]
 * Prints the machine banner first and writes its figures as JSON to a file outside the
 * tree (its path is printed); --write-results also writes the section `scoring` of the
 * tracked bench/results.json (what `npm run bench` does). --profile-worker DIR runs the
 * worker under `node --cpu-prof` with its profiles in DIR. --worker-cpus LIST (Linux, `taskset`
 * syntax such as 8-11) starts the remote workers on those CPUs only; run the bench itself under
 * `taskset -c` on other CPUs, so that client, baseline and worker do not share cores
 * (bench/device/scoring-remote.sh does).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { from, lastValueFrom, toArray } from 'rxjs';
import * as ort from 'onnxruntime-node';
import { score } from '../operators/score';
import type { OperatorContext } from '../operators/operator-spec';
import type { StreamRecord } from '../core/stream-record';
import { ScoringPool, type ScoringPoolConfig } from '../runtime/scoring/scoring-pool';
import { runSession } from '../runtime/scoring/internal/onnx-session';
import { BatchLayout } from '../runtime/scoring/internal/batch-layout';
import { loadModelManifest } from '../core/scoring/model-manifest';
import type { TensorData } from '../core/scoring/scoring-service';
import { defaultRankingModelDir } from '../examples/home-feed/model/generate-ranking-model';
import { randomRankingRequest } from '../examples/home-feed/model/random-ranking-request';
import { formatMachineBanner, machineInfo } from '../test/helpers/machine-info';
import { writeResultsSection, type ResultsSection } from '../test/helpers/results-file';
import { median, percentileOfSorted } from '../core/percentile';
import { parseScriptOptions, scriptCommand } from '../test/helpers/script-options';

const options = parseScriptOptions<{ quick?: boolean; writeResults?: boolean; profileWorker?: string; workerCpus?: string }>(scriptCommand('dist/bench/scoring-bench.js', 'scoring pool vs raw ONNX sessions, local and remote workers: rows/s, CPU per row and latency (no services)')
  .option('--quick', '3 s per figure instead of 8')
  .option('--write-results', 'also write the figures to the tracked bench/results.json (bench-suite does)')
  .option('--profile-worker <dir>', 'run the remote worker under --cpu-prof, profiles in DIR')
  .option('--worker-cpus <list>', 'start the remote workers pinned to these CPUs with taskset (Linux), e.g. 8-11'));
const quick = options.quick === true;
const writeTracked = options.writeResults === true;
const profileDir = options.profileWorker !== undefined ? path.resolve(options.profileWorker) : undefined;
const workerCpus = options.workerCpus;
if (workerCpus !== undefined && !/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(workerCpus)) {
  process.stderr.write(`scoring-bench: --worker-cpus ${JSON.stringify(workerCpus)} must be a CPU list such as 8-11 or 8,9,10,11\n`);
  process.exit(2);
}
/** Rows of one request in sections 3 and 4 (8 users × 32 candidates). */
const REQUEST_ROWS = 256;
/** Requests in flight in section 3. */
const IN_FLIGHT = 4;
const CANDIDATES = 32;
const BATCH_ROWS = 256;
const model = 'home-feed-ranker';
const seconds = quick ? 3 : 8;
/** Same ONNX thread count for the raw baseline and the pool's sessions, so the ratio compares like with like. */
const INTRA_OP_THREADS = 1;


/** One record per user: features as typed arrays, as a feature store lookup would hand them over. */
function makeRecords(count: number): StreamRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const t = randomRankingRequest(i, CANDIDATES);
    const value: Record<string, TensorData['data']> = {};
    for (const [name, tensor] of Object.entries(t)) value[name] = tensor.data;
    return { key: `user-${i}`, value, timestamp: i, headers: {} };
  });
}

function context(pool: ScoringPool): OperatorContext {
  return {
    stepId: 'rank', taskId: '0_0', scoring: pool,
    keyValueStore: () => { throw new Error('no stores in this benchmark'); },
    streamTime: () => 0, wallClock: () => Date.now(),
    recordFailed: (_r, err) => { throw err; },
    sideOutput: () => {},
  };
}

async function rawSessionRun(records: StreamRecord[]): Promise<number> {
  const session = await ort.InferenceSession.create(path.join(defaultRankingModelDir, 'model.onnx'), { graphOptimizationLevel: 'all', intraOpNumThreads: INTRA_OP_THREADS });
  const layout = new BatchLayout(loadModelManifest(defaultRankingModelDir).manifest);
  const perBatch = BATCH_ROWS / CANDIDATES;
  const batches: Record<string, TensorData>[] = [];
  for (let i = 0; i + perBatch <= Math.min(records.length, 64 * perBatch); i += perBatch) {
    batches.push(layout.merge(records.slice(i, i + perBatch).map((r) => randomRankingRequest(Number(String(r.key).slice(5)), CANDIDATES))));
  }
  for (const b of batches.slice(0, 3)) await runSession(session, b);
  let rows = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    for (const b of batches) {
      await runSession(session, b);
      rows += BATCH_ROWS;
    }
  }
  const rate = rows / ((performance.now() - start) / 1000);
  await session.release();
  return rate;
}

async function throughOperator(pool: ScoringPool, records: StreamRecord[], recordsPerTaskBatch: number, tasks: number): Promise<number> {
  const inputs = Object.fromEntries(Object.keys(records[0].value as object).map((name) => [name, `value.${name}`]));
  const ops = Array.from({ length: tasks }, () => score.create({ model: defaultRankingModelDir, inputs, into: 'scores' }, context(pool)));
  let rows = 0;
  let cursor = 0;
  const start = performance.now();
  // Each task pushes one consumer batch at a time through its pipeline (design decision 2).
  await Promise.all(ops.map(async (op) => {
    while (performance.now() - start < seconds * 1000) {
      const batch: StreamRecord[] = [];
      for (let i = 0; i < recordsPerTaskBatch; i++) batch.push(records[cursor++ % records.length]);
      const out = await lastValueFrom(from(batch).pipe(op, toArray()));
      rows += out.length * CANDIDATES;
    }
  }));
  return rows / ((performance.now() - start) / 1000);
}

async function fixedRate(pool: ScoringPool, requestsPerSecond: number): Promise<{ p50: number; p99: number; sent: number }> {
  const requests = Array.from({ length: 64 }, (_, i) => randomRankingRequest(i, CANDIDATES));
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const interval = 1000 / requestsPerSecond;
  const start = performance.now();
  let sent = 0;
  while (performance.now() - start < seconds * 1000) {
    const due = start + sent * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    pending.push(pool.score({ model, inputs: requests[sent % requests.length] }).then(() => { latencies.push(performance.now() - t0); }));
    sent++;
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  return { p50: percentileOfSorted(latencies, 0.5), p99: percentileOfSorted(latencies, 0.99), sent };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function processCpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // Fields 14 and 15 of stat (utime, stime) are the 12th and 13th after the command name; clock ticks of 1/100 s.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Rows/s of `requests` sent `IN_FLIGHT` at a time, and the CPU seconds per row of `pid` (the worker) meanwhile. */
async function closedLoopRows(pool: ScoringPool, requests: Record<string, TensorData>[], pid?: number): Promise<{ rate: number; cpuPerRow?: number }> {
  let rows = 0;
  const cpu0 = pid === undefined ? 0 : processCpuSeconds(pid);
  const start = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, async (_, k) => {
    let i = k;
    while (performance.now() - start < seconds * 1000) {
      await pool.score({ model, inputs: requests[i++ % requests.length] });
      rows += REQUEST_ROWS;
    }
  }));
  const rate = rows / ((performance.now() - start) / 1000);
  return { rate, ...(pid === undefined ? {} : { cpuPerRow: (processCpuSeconds(pid) - cpu0) / rows }) };
}

/** p50 in ms of `count` requests sent one after another. */
async function loneLatencyP50(call: (i: number) => Promise<unknown>, count: number): Promise<number> {
  for (let i = 0; i < 20; i++) await call(i);
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await call(i);
    latencies.push(performance.now() - t0);
  }
  return percentileOfSorted(latencies.sort((a, b) => a - b), 0.5);
}

/** Raw onnxruntime on the main thread: CPU seconds per row at 256-row batches, and p50 of 1-row runs. */
async function rawReference(requests: Record<string, TensorData>[], loneRequests: Record<string, TensorData>[]): Promise<{ cpuPerRow: number; loneP50: number }> {
  const session = await ort.InferenceSession.create(path.join(defaultRankingModelDir, 'model.onnx'), { graphOptimizationLevel: 'all', intraOpNumThreads: INTRA_OP_THREADS });
  for (const r of requests.slice(0, 3)) await runSession(session, r);
  let rows = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    for (const r of requests) {
      await runSession(session, r);
      rows += REQUEST_ROWS;
    }
  }
  const cpu = process.cpuUsage(cpu0);
  const loneP50 = await loneLatencyP50((i) => runSession(session, loneRequests[i % loneRequests.length]), quick ? 300 : 1000);
  await session.release();
  return { cpuPerRow: (cpu.user + cpu.system) / 1e6 / rows, loneP50 };
}

/** The CPUs this process may run on, from /proc (Linux), or 'any CPU' where that is not readable. */
function cpuAffinity(): string {
  try {
    const line = /^Cpus_allowed_list:\s*(\S+)/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return line ? `CPUs ${line[1]}` : 'any CPU';
  } catch {
    return 'any CPU';
  }
}

interface StartedWorker { http: string; grpc: string; pid: number; stop: () => Promise<void> }

function startWorker(workers: number): Promise<StartedWorker> {
  const bin = path.resolve(__dirname, '..', '..', 'bin', 'tributary.js');
  const nodeArgs = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const command = [process.execPath, ...nodeArgs, bin, 'worker', '--model', defaultRankingModelDir, '--port', '0', '--grpc-port', '0', '--workers', String(workers), '--intra-op-threads', String(INTRA_OP_THREADS), '--reload-poll-ms', '0', '--max-batch-rows', String(BATCH_ROWS)];
  // taskset execs node in its own process, so child.pid is the worker's pid (its /proc CPU counts are read below).
  const pinned = workerCpus !== undefined ? ['taskset', '-c', workerCpus, ...command] : command;
  const child: ChildProcess = spawn(pinned[0], pinned.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /at (http:\/\/[\d.:]+) and (grpc:\/\/[\d.:]+)/.exec(out);
      if (m) resolve({ http: m[1], grpc: m[2], pid: child.pid!, stop: async () => { child.kill('SIGTERM'); await exited; } });
    });
    child.once('exit', (code) => reject(new Error(`tributary worker exited with ${code}`)));
    child.once('error', (err) => reject(new Error(`cannot start ${pinned[0]}: ${err.message}`)));
  });
}

async function main(): Promise<void> {
  const machine = machineInfo();
  process.stdout.write(`${formatMachineBanner(machine)}\n`);
  const rows: Array<Record<string, string | number | null>> = [];
  process.stdout.write(`scoring-bench: ${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length}, node ${process.version}, load average ${os.loadavg()[0].toFixed(1)}, ${seconds} s per figure\n`);
  process.stdout.write(`model ${model} (${CANDIDATES} candidates per request, batches of ${BATCH_ROWS} rows), CPU execution provider, ${INTRA_OP_THREADS} ONNX thread per session\n`);
  process.stdout.write(`remote workers on ${workerCpus !== undefined ? `CPUs ${workerCpus} (taskset)` : 'any CPU'}; this process on ${cpuAffinity()}\n\n`);
  const records = makeRecords(512);
  const log = () => {};
  const localConfig: ScoringPoolConfig = { models: [defaultRankingModelDir], local: { workers: 1, providers: ['cpu'], intraOpThreads: INTRA_OP_THREADS, log }, batching: { maxBatchRows: BATCH_ROWS }, log };

  const pool = await ScoringPool.start(localConfig);
  // Alternate baseline and operator runs so drifting load on the machine hits both alike; report medians.
  const raws: number[] = [];
  const viaOps: number[] = [];
  for (let round = 0; round < 3; round++) {
    raws.push(await rawSessionRun(records));
    viaOps.push(await throughOperator(pool, records, 64, 2));
  }
  const raw = median(raws);
  const viaOperator = median(viaOps);
  process.stdout.write('1. throughput, rows (candidates) scored per second, median of 3 alternating runs\n');
  process.stdout.write(`   raw session.run, main thread, ${BATCH_ROWS}-row batches    ${raw.toFixed(0).padStart(9)}   (runs: ${raws.map((x) => x.toFixed(0)).join(', ')})\n`);
  process.stdout.write(`   score operator → pool (1 worker thread), 2 tasks   ${viaOperator.toFixed(0).padStart(9)}   (runs: ${viaOps.map((x) => x.toFixed(0)).join(', ')})\n`);
  process.stdout.write(`   ratio ${(viaOperator / raw).toFixed(2)}× (goal ≥ 0.6×)\n\n`);
  rows.push({ figure: 'throughput rows/s, score operator → pool (1 worker thread, 2 tasks, batched)', value: Math.round(viaOperator), baseline: Math.round(raw), 'baseline is': `raw session.run, main thread, ${BATCH_ROWS}-row batches`, ratio: Math.round((viaOperator / raw) * 100) / 100 });

  process.stdout.write('2. latency per request (32 rows) at a fixed request rate, local pool\n');
  for (const rate of [100, 400]) {
    const r = await fixedRate(pool, rate);
    process.stdout.write(`   ${String(rate).padStart(4)} req/s: p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms (${r.sent} requests)\n`);
    rows.push({ figure: `latency per ${CANDIDATES}-row request at ${rate} req/s, p50 / p99 ms`, value: `${r.p50.toFixed(2)} / ${r.p99.toFixed(2)}`, baseline: null, 'baseline is': null, ratio: null });
  }

  const requests = Array.from({ length: 16 }, (_, i) => randomRankingRequest(i, REQUEST_ROWS / 8, 8));
  const loneRequests = Array.from({ length: 16 }, (_, i) => randomRankingRequest(i, 1, 1));
  const loneCount = quick ? 300 : 1000;
  const reference = await rawReference(requests, loneRequests);
  const workers = { threaded: await startWorker(1), inline: await startWorker(0) };
  type Variant = 'http' | 'grpc' | 'http, --workers 0' | 'grpc, --workers 0';
  const variants: Array<{ name: Variant; endpoint: string; pid: number }> = [
    { name: 'http', endpoint: workers.threaded.http, pid: workers.threaded.pid },
    { name: 'grpc', endpoint: workers.threaded.grpc, pid: workers.threaded.pid },
    { name: 'http, --workers 0', endpoint: workers.inline.http, pid: workers.inline.pid },
    { name: 'grpc, --workers 0', endpoint: workers.inline.grpc, pid: workers.inline.pid },
  ];
  const remotes = {} as Record<Variant, ScoringPool>;
  for (const v of variants) remotes[v.name] = await ScoringPool.start({ models: [defaultRankingModelDir], remote: { endpoints: [v.endpoint] }, batching: { maxBatchRows: BATCH_ROWS }, log });
  const runs = { local: [] as number[] } as Record<'local' | Variant, number[]>;
  const cpu = {} as Record<Variant, number[]>;
  for (const v of variants) [runs[v.name], cpu[v.name]] = [[], []];
  try {
    // Two alternating rounds, so drifting load hits every variant alike; the mean of the two reported.
    for (let round = 0; round < 2; round++) {
      runs.local.push((await closedLoopRows(pool, requests)).rate);
      for (const v of variants) {
        const r = await closedLoopRows(remotes[v.name], requests, v.pid);
        runs[v.name].push(r.rate);
        cpu[v.name].push(r.cpuPerRow!);
      }
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const local = mean(runs.local);
    process.stdout.write(`\n3. ${REQUEST_ROWS}-row requests, ${IN_FLIGHT} in flight, rows/s (mean of 2 alternating runs); worker CPU per row vs raw onnxruntime's\n`);
    process.stdout.write(`   local worker thread                     ${local.toFixed(0).padStart(9)}   (runs: ${runs.local.map((x) => x.toFixed(0)).join(', ')})\n`);
    process.stdout.write(`   raw onnxruntime, CPU per row            ${(reference.cpuPerRow * 1e6).toFixed(2).padStart(9)} µs\n`);
    for (const { name } of variants) {
      const rate = mean(runs[name]);
      const perRow = mean(cpu[name]);
      process.stdout.write(`   remote tributary worker ${name.padEnd(18)}${rate.toFixed(0).padStart(9)}   ${(rate / local).toFixed(2)}× local (goal ≥ 0.8×; runs: ${runs[name].map((x) => x.toFixed(0)).join(', ')})\n`);
      process.stdout.write(`     worker process CPU per row           ${(perRow * 1e6).toFixed(2).padStart(9)} µs   ${(perRow / reference.cpuPerRow).toFixed(2)}× raw (goal ≤ 1.3×)\n`);
      rows.push({ figure: `rows/s, remote tributary worker over ${name}, ${REQUEST_ROWS}-row requests, ${IN_FLIGHT} in flight`, value: Math.round(rate), baseline: Math.round(local), 'baseline is': `local worker thread, ${REQUEST_ROWS}-row requests, ${IN_FLIGHT} in flight`, ratio: Math.round((rate / local) * 100) / 100 });
      rows.push({ figure: `worker process CPU µs per row, ${name}`, value: Math.round(perRow * 1e8) / 100, baseline: Math.round(reference.cpuPerRow * 1e8) / 100, 'baseline is': 'raw onnxruntime session.run, main thread, CPU per row', ratio: Math.round((perRow / reference.cpuPerRow) * 100) / 100 });
    }

    process.stdout.write(`\n4. a lone 1-row request, one at a time, p50 of ${loneCount} (goal: within 0.5 ms of raw)\n`);
    process.stdout.write(`   raw session.run                          ${reference.loneP50.toFixed(2).padStart(6)} ms\n`);
    const lone = async (name: string, p: ScoringPool) => {
      const p50 = await loneLatencyP50((i) => p.score({ model, inputs: loneRequests[i % loneRequests.length] }), loneCount);
      process.stdout.write(`   ${name.padEnd(52)} ${p50.toFixed(2).padStart(6)} ms   +${(p50 - reference.loneP50).toFixed(2)} ms\n`);
      rows.push({ figure: `p50 ms of a lone 1-row request, ${name}`, value: Math.round(p50 * 100) / 100, baseline: Math.round(reference.loneP50 * 100) / 100, 'baseline is': 'raw session.run, 1 row', ratio: null });
    };
    await lone('local pool (worker thread)', pool);
    for (const { name } of variants) await lone(`remote tributary worker over ${name}`, remotes[name]);
  } finally {
    await Promise.all([pool.close(), ...Object.values(remotes).map((r) => r.close())]);
    await Promise.all([workers.threaded.stop(), workers.inline.stop()]);
  }
  const section: ResultsSection = { machine, rows, notes: [`${seconds} s per figure; throughput in 1 is the median of 3 alternating runs, in 3 the mean of 2 alternating rounds (local, http, grpc)`, `1-minute load average after the runs: ${os.loadavg()[0]!.toFixed(2)} on ${os.cpus().length} cores`, `remote workers on ${workerCpus ?? 'any CPU'}, the bench process on ${cpuAffinity()}`] };
  const out = path.join(os.tmpdir(), 'tributary-bench', 'scoring.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(section, null, 2)}\n`);
  process.stdout.write(`\nfigures written to ${out}${writeTracked ? ' and to the section scoring of bench/results.json' : ' (--write-results also writes bench/results.json)'}\n`);
  if (writeTracked) writeResultsSection('scoring', section);
}

main().catch((err) => {
  process.stderr.write(`scoring-bench: ${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
