/**
 * Memory under a slow sink: in-flight work must stay bounded when the sink is
 * 10× slower than the pipeline, however large the backlog. The same input topic
 * (a backlog of `--records` Avro records) is read twice by `tributary run`
 * (bench/topologies/memory-slow-sink.yaml), in fresh consumer groups:
 *
 * 1. full speed: until every record is out; gives the rate R and the peak RSS;
 * 2. a sink 10× slower (a wait of 10/R s per record, no CPU), for `--seconds`:
 *    most of the backlog is still unread when it stops; gives the rate, the
 *    peak RSS and the RSS of the run's first and second half.
 *
 * Prints both peaks, their ratio and the growth between the halves (bounded
 * buffering: the slow run's peak is about the fast run's, and it does not grow
 * as the run goes on).
 *
 *   node dist/bench/memory-slow-sink.js [--records 300000] [--partitions 3] [--seconds 60] [--slowdown 10]
 *
 * Needs the local services (npm run services:start). Linux only (reads /proc/<pid>/status).
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { produceBenchInput, watchOutput, machineInfo, formatMachineBanner, writeResultsSection, REPO_ROOT } from './harness';
import { startTributary } from '../test/helpers/tributary-process';
import { integerOption, positiveOption } from '../runtime/cli/option-parsers';
import { parseScriptOptions, scriptCommand } from '../test/helpers/script-options';

const REGISTRY = 'http://127.0.0.1:8081/apis/ccompat/v7';
const topologyFile = path.join(REPO_ROOT, 'bench', 'topologies', 'memory-slow-sink.yaml');

const options = scriptCommand('dist/bench/memory-slow-sink.js', 'memory of a run whose sink is slower than its input (needs the local services)')
  .option('--records <n>', 'input records', integerOption('--records', 1), 300_000)
  .option('--partitions <n>', 'input partitions', integerOption('--partitions', 1), 3)
  .option('--seconds <n>', 'how long to watch', positiveOption('--seconds'), 60)
  .option('--slowdown <n>', 'how many times slower the sink is', positiveOption('--slowdown'), 10);
const opts = parseScriptOptions<{ records: number; partitions: number; seconds: number; slowdown: number }>(options);

/** Resident set size of a process in MiB (null once it is gone). */
function rssMiB(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status);
    return kb ? Number(kb[1]) / 1024 : null;
  } catch {
    return null;
  }
}

interface RunMeasure {
  readonly recordsOut: number;
  readonly seconds: number;
  readonly peakRssMiB: number;
  readonly peakFirstHalfMiB: number;
  readonly peakSecondHalfMiB: number;
}

/** One `tributary run` of the topology, sampled every 200 ms, until `records` are out or `seconds` passed. */
async function measuredRun(kafka: Kafka, input: string, records: number, slowMicros: number, seconds: number): Promise<RunMeasure> {
  const output = `${input}-out-${slowMicros}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: output, numPartitions: 3 }] });
  await admin.disconnect();
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-memory-'));
  const watch = watchOutput(kafka, output, records, { timeoutMs: seconds * 1000 });
  const proc = startTributary(['run', topologyFile, '--no-metrics'], {
    APP: `bench-mem-${randomUUID().slice(0, 8)}`, INPUT: input, OUTPUT: output, STATE_DIR: stateDir,
    SLOW_MICROS: String(slowMicros), TRIBUTARY_AUTO_REGISTER: '1',
  });
  const samples: Array<{ at: number; mib: number }> = [];
  const started = Date.now();
  const sampler = setInterval(() => {
    const mib = proc.child.pid === undefined ? null : rssMiB(proc.child.pid);
    if (mib !== null) samples.push({ at: Date.now() - started, mib });
  }, 200);
  try {
    const result = await watch.result;
    const elapsed = (result.doneMs ?? Date.now() - started) / 1000;
    const half = (elapsed * 1000) / 2;
    const peak = (list: typeof samples) => list.reduce((m, s) => Math.max(m, s.mib), 0);
    if (result.finalSpan === 0) throw new Error(`tributary produced nothing within ${seconds} s (a slow sink holds a whole fetched batch: give it more --seconds):\n${proc.output().slice(-2000)}`);
    return {
      recordsOut: result.finalSpan,
      seconds: elapsed,
      peakRssMiB: peak(samples),
      peakFirstHalfMiB: peak(samples.filter((s) => s.at < half)),
      peakSecondHalfMiB: peak(samples.filter((s) => s.at >= half)),
    };
  } finally {
    clearInterval(sampler);
    proc.child.kill('SIGTERM');
    await proc.exited;
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const records = opts.records;
  const partitions = opts.partitions;
  const seconds = opts.seconds;
  const slowdown = opts.slowdown;
  const command = `node dist/bench/memory-slow-sink.js --records ${records} --partitions ${partitions} --seconds ${seconds} --slowdown ${slowdown}`;
  const kafka = new Kafka({ clientId: 'bench', brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING });
  const input = `bench-mem-in-${randomUUID()}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: input, numPartitions: partitions }] });
  await admin.disconnect();
  const summary = await produceBenchInput({ kafka, topic: input, registryUrl: REGISTRY, records, keys: 10_000, seed: 11 });
  process.stdout.write(`${formatMachineBanner(machineInfo())}\ninput: a backlog of ${summary.records} Avro records on ${partitions} partitions\n`);

  const fast = await measuredRun(kafka, input, records, 0, 600);
  const fastRate = fast.recordsOut / fast.seconds;
  // A wait per record that makes the sink `slowdown` times slower than the whole fast pipeline;
  // the partitions' batches wait side by side, so each partition's share of the rate counts.
  const slowMicros = Math.round((slowdown * partitions * 1e6) / fastRate);
  const slow = await measuredRun(kafka, input, records, slowMicros, seconds);
  const slowRate = slow.recordsOut / slow.seconds;
  const backlogLeft = records - slow.recordsOut;
  const growth = slow.peakSecondHalfMiB - slow.peakFirstHalfMiB;
  process.stdout.write([
    `full speed:      ${fastRate.toFixed(0)} records/s, ${fast.recordsOut} records in ${fast.seconds.toFixed(1)} s, peak RSS ${fast.peakRssMiB.toFixed(0)} MiB`,
    `slow sink (${slowMicros} µs/record): ${slowRate.toFixed(0)} records/s (${(fastRate / slowRate).toFixed(1)}× slower), ${slow.recordsOut} records in ${slow.seconds.toFixed(1)} s, ${backlogLeft} still in the backlog`,
    `slow-sink peak RSS: ${slow.peakRssMiB.toFixed(0)} MiB (${(slow.peakRssMiB / fast.peakRssMiB).toFixed(2)}× the full-speed peak); first half ${slow.peakFirstHalfMiB.toFixed(0)} MiB, second half ${slow.peakSecondHalfMiB.toFixed(0)} MiB (growth ${growth >= 0 ? '+' : ''}${growth.toFixed(0)} MiB)`,
    `command: ${command}`,
    '',
  ].join('\n'));
  writeResultsSection('memory-slow-sink', {
    machine: machineInfo(),
    rows: [{
      command,
      fullSpeedRecordsPerSec: Math.round(fastRate),
      fullSpeedPeakRssMiB: Math.round(fast.peakRssMiB),
      slowSinkRecordsPerSec: Math.round(slowRate),
      slowdown: Number((fastRate / slowRate).toFixed(2)),
      slowSinkPeakRssMiB: Math.round(slow.peakRssMiB),
      slowSinkRssGrowthMiB: Math.round(growth),
      backlogLeft,
    }],
  });
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
