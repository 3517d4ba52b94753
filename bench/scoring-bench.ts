/**
 * Scoring benchmark. Prints, on the flagship ranking model:
 *  1. rows/s through the `score` operator (records in, scores out, dynamic
 *     batching on, local worker threads) against raw `session.run` on the
 *     same model at the same batch size, in this same process (goal ≥ 0.6×);
 *  2. latency p50/p99 per request at a fixed request rate (open loop);
 *  3. local worker threads against a remote `tributary worker` (HTTP and gRPC).
 * Usage: node dist/bench/scoring-bench.js [--quick]
 * Prints the machine banner first and writes the section `scoring` of bench/results.json.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
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
import { writeResultsSection } from '../test/helpers/results-file';
import { median, percentileOfSorted } from '../core/percentile';
import { parseScriptOptions, scriptCommand } from '../test/helpers/script-options';

const { quick } = parseScriptOptions<{ quick?: boolean }>(scriptCommand('dist/bench/scoring-bench.js', 'scoring pool vs raw ONNX sessions: rows/s and latency (no services)')
  .option('--quick', '3 s per figure instead of 8'));
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

async function closedLoop(pool: ScoringPool, concurrency: number): Promise<number> {
  const requests = Array.from({ length: 64 }, (_, i) => randomRankingRequest(i, CANDIDATES));
  let rows = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async (_, k) => {
    let i = k;
    while (performance.now() - start < seconds * 1000) {
      await pool.score({ model, inputs: requests[i++ % requests.length] });
      rows += CANDIDATES;
    }
  }));
  return rows / ((performance.now() - start) / 1000);
}

function startWorker(): Promise<{ http: string; grpc: string; stop: () => void }> {
  const bin = path.resolve(__dirname, '..', '..', 'bin', 'tributary.js');
  const child = spawn(process.execPath, [bin, 'worker', '--model', defaultRankingModelDir, '--port', '0', '--grpc-port', '0', '--workers', '1', '--intra-op-threads', String(INTRA_OP_THREADS), '--reload-poll-ms', '0', '--max-batch-rows', String(BATCH_ROWS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /at (http:\/\/[\d.:]+) and (grpc:\/\/[\d.:]+)/.exec(out);
      if (m) resolve({ http: m[1], grpc: m[2], stop: () => child.kill('SIGTERM') });
    });
    child.once('exit', (code) => reject(new Error(`tributary worker exited with ${code}`)));
  });
}

async function main(): Promise<void> {
  const machine = machineInfo();
  process.stdout.write(`${formatMachineBanner(machine)}\n`);
  const rows: Array<Record<string, string | number | null>> = [];
  process.stdout.write(`scoring-bench: ${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length}, node ${process.version}, load average ${os.loadavg()[0].toFixed(1)}, ${seconds} s per figure\n`);
  process.stdout.write(`model ${model} (${CANDIDATES} candidates per request, batches of ${BATCH_ROWS} rows), CPU execution provider, ${INTRA_OP_THREADS} ONNX thread per session\n\n`);
  const records = makeRecords(512);
  const log = () => {};
  const localConfig: ScoringPoolConfig = { models: [defaultRankingModelDir], local: { workers: 1, providers: ['cpu'], intraOpThreads: INTRA_OP_THREADS, log }, batching: { maxBatchRows: BATCH_ROWS, maxDelayMs: 2 }, log };

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
  const local = await closedLoop(pool, 32);
  await pool.close();

  process.stdout.write('\n3. local vs remote worker, 32 requests in flight, rows/s\n');
  process.stdout.write(`   local worker thread                      ${local.toFixed(0).padStart(9)}\n`);
  const worker = await startWorker();
  try {
    for (const endpoint of [worker.http, worker.grpc]) {
      const remote = await ScoringPool.start({ models: [defaultRankingModelDir], remote: { endpoints: [endpoint] }, batching: { maxBatchRows: BATCH_ROWS, maxDelayMs: 2 }, log });
      const rate = await closedLoop(remote, 32);
      await remote.close();
      process.stdout.write(`   remote tributary worker ${endpoint.split(':')[0].padEnd(5)}            ${rate.toFixed(0).padStart(9)}   ${(rate / local).toFixed(2)}× local\n`);
      rows.push({ figure: `rows/s, remote tributary worker over ${endpoint.split(':')[0]}, 32 requests in flight`, value: Math.round(rate), baseline: Math.round(local), 'baseline is': 'local worker thread, 32 requests in flight', ratio: Math.round((rate / local) * 100) / 100 });
    }
  } finally {
    worker.stop();
  }
  writeResultsSection('scoring', { machine, rows, notes: [`${seconds} s per figure; throughput is the median of 3 alternating runs (baseline and operator alternate so drifting load hits both)`, `1-minute load average after the runs: ${os.loadavg()[0]!.toFixed(2)} on ${os.cpus().length} cores`] });
}

main().catch((err) => {
  process.stderr.write(`scoring-bench: ${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
