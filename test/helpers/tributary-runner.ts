import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { REPO_ROOT } from './machine-info';
import { ManagedProcess } from './managed-process';
import { watchOutput } from './output-watch';
import { trackProcessCpu } from './process-cpu';
import { APP_NODE_FLAGS } from '../../runtime/cli/node-flags';

/** The count+sum topology both harnesses run (the peer's workload in Tributary's language). */
export const BENCH_TOPOLOGY = join(REPO_ROOT, 'bench', 'topologies', 'bench-count-sum.yaml');
/** The same workload with the built-in `aggregate` step instead of the custom operator. */
export const BENCH_AGGREGATE_TOPOLOGY = join(REPO_ROOT, 'bench', 'topologies', 'bench-count-sum-aggregate.yaml');

/** True once `tributary run` is a registered CLI command. */
export function tributaryRunExists(): boolean {
  const res = spawnSync('node', ['bin/tributary.js', '--help'], { cwd: REPO_ROOT, encoding: 'utf8' });
  return /^\s+run\b/m.test(res.stdout ?? '');
}

/** The topics and settings of one Tributary run of bench-count-sum.yaml. */
export interface TributaryBenchWiring {
  readonly brokers: readonly string[];
  readonly applicationId: string;
  readonly inputTopic: string;
  readonly outputTopic: string;
  readonly dlqTopic: string;
  readonly guarantee: 'at_least_once' | 'exactly_once';
  readonly stateDir: string;
  readonly commitIntervalMs: number;
  readonly logFile: string;
  /** Write a V8 CPU profile of the process into this folder (node --cpu-prof). */
  readonly profileDir?: string;
  /** The topology file run (default {@link BENCH_TOPOLOGY}); it must read the same variables. */
  readonly topology?: string;
}

/** Starts `node bin/tributary.js run <topology> --no-metrics` (bench-count-sum.yaml unless told) wired by environment. */
export function startTributaryBench(w: TributaryBenchWiring): ManagedProcess {
  return new ManagedProcess({
    command: process.execPath,
    args: [...(w.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${w.profileDir}`] : []), ...APP_NODE_FLAGS, 'bin/tributary.js', 'run', w.topology ?? BENCH_TOPOLOGY, '--no-metrics'],
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      APP: w.applicationId, INPUT: w.inputTopic, OUTPUT: w.outputTopic, DLQ_TOPIC: w.dlqTopic, GUARANTEE: w.guarantee,
      STATE_DIR: w.stateDir, COMMIT_INTERVAL: `${w.commitIntervalMs}ms`, KAFKA_BROKERS: w.brokers.join(','),
    },
    logFile: w.logFile,
  }).start();
}

/** What a throughput run of Tributary measured from outside. */
export interface TributaryBenchResult {
  /** ms from the start of the process to the first output. */
  readonly firstMs: number | null;
  /** ms from the start of the process until the output held every expected record. */
  readonly doneMs: number | null;
  readonly exitCode: number | null;
  readonly logFile: string;
  /** CPU seconds of every process from its start until the output was complete (null where /proc is missing). */
  readonly cpuSeconds: number | null;
}

/**
 * Runs Tributary on the input until the output topic holds `expected` records (or every
 * process exits, or the timeout), then stops it with SIGTERM (a clean stop commits).
 * `processes` > 1 starts that many instances of the same application (one consumer group,
 * partitions spread over them), each with its own state folder and log.
 */
export async function runTributaryBench(
  kafka: Kafka,
  w: Omit<TributaryBenchWiring, 'stateDir' | 'logFile'>,
  expected: number,
  opts: { timeoutMs?: number; processes?: number } = {},
): Promise<TributaryBenchResult> {
  const count = opts.processes ?? 1;
  const stateDirs = Array.from({ length: count }, () => mkdtempSync(join(tmpdir(), 'tributary-bench-')));
  const logFile = join(tmpdir(), `tributary-bench-${w.applicationId}.log`);
  const watch = watchOutput(kafka, w.outputTopic, expected, { timeoutMs: opts.timeoutMs ?? 600_000 });
  const procs = stateDirs.map((stateDir, i) => startTributaryBench({ ...w, stateDir, logFile: count === 1 ? logFile : logFile.replace(/\.log$/, `-${i}.log`) }));
  const cpus = procs.map((p) => trackProcessCpu(p.pid));
  void Promise.all(procs.map((p) => p.exited())).then(() => watch.stop());
  const seen = await watch.result;
  const used = cpus.map((c) => c.stop());
  const cpuSeconds = used.includes(null) ? null : (used as number[]).reduce((a, b) => a + b, 0);
  const exits = await Promise.all(procs.map((p) => p.kill('SIGTERM')));
  for (const d of stateDirs) rmSync(d, { recursive: true, force: true });
  const failed = exits.find((e) => e.code !== 0);
  return { firstMs: seen.firstMs, doneMs: seen.doneMs, exitCode: failed ? failed.code : 0, logFile, cpuSeconds };
}
