import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_AGGREGATE_SCHEMA_PATH, BENCH_EVENT_SCHEMA_PATH } from './bench-schemas';
import { REPO_ROOT } from './machine-info';
import { trackProcessCpu } from './process-cpu';

/** The Maven project of the peer and the jar it builds. */
export const PEER_DIR = join(REPO_ROOT, 'bench', 'peers', 'kafka-streams');
export const PEER_JAR = join(PEER_DIR, 'target', 'kafka-streams-peer.jar');

/** Processing guarantees both sides run, in Kafka Streams' spelling. */
export type PeerGuarantee = 'at_least_once' | 'exactly_once_v2';

/** The peer's one JSON line (see CountSumPeer.java). */
export interface PeerReport {
  readonly peer: 'kafka-streams';
  readonly kafkaStreamsVersion: string;
  readonly guarantee: PeerGuarantee;
  readonly threads: number;
  readonly expected: number;
  readonly processed: number;
  readonly poison: number;
  readonly stoppedBy: 'count' | 'idle' | 'error';
  readonly firstToLastMs: number;
  readonly startToLastMs: number;
  readonly closeMs: number;
  readonly closedCleanly: boolean;
  readonly recordsPerSec: number;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds the peer with `mvn -q -B package` when the jar is missing or older than its sources. */
export function buildPeer(log: (line: string) => void = () => undefined): void {
  const sourcesAt = Math.max(newestMtime(join(PEER_DIR, 'src')), statSync(join(PEER_DIR, 'pom.xml')).mtimeMs);
  if (existsSync(PEER_JAR) && statSync(PEER_JAR).mtimeMs >= sourcesAt) return;
  log('building the Kafka Streams peer: mvn -q -B package (bench/peers/kafka-streams)');
  const res = spawnSync('mvn', ['-q', '-B', 'package'], { cwd: PEER_DIR, stdio: ['ignore', 'inherit', 'inherit'] });
  if (res.status !== 0) throw new Error(`building the Kafka Streams peer failed (mvn exit ${res.status ?? res.signal}); Maven and Java 17 are needed`);
}

/** Options of {@link runPeer}. */
export interface PeerRunOptions {
  readonly brokers: readonly string[];
  readonly inputTopic: string;
  readonly outputTopic: string;
  readonly applicationId: string;
  readonly guarantee: PeerGuarantee;
  readonly expected: number;
  readonly outputSchemaId: number;
  readonly threads?: number;
  readonly commitIntervalMs?: number;
  readonly idleTimeoutMs?: number;
  readonly heap?: string;
  /** Dead-letter topic for records that do not decode (skipped when absent). */
  readonly dlqTopic?: string;
  /** Consumer session timeout; short in the fault suite so killed members leave the group fast. */
  readonly sessionTimeoutMs?: number;
  /** Kafka Streams' num.standby.replicas (default: its own, 0). */
  readonly standbyReplicas?: number;
}

/** The java command line of the peer, for callers that manage the process themselves (the fault suite). */
export function peerArgs(opts: PeerRunOptions, stateDir: string): string[] {
  return [
    `-Xmx${opts.heap ?? '768m'}`, '-jar', PEER_JAR,
    '--bootstrap', opts.brokers.join(','), '--input', opts.inputTopic, '--output', opts.outputTopic,
    '--application-id', opts.applicationId, '--guarantee', opts.guarantee, '--expected', String(opts.expected),
    '--input-schema', BENCH_EVENT_SCHEMA_PATH, '--output-schema', BENCH_AGGREGATE_SCHEMA_PATH,
    '--output-schema-id', String(opts.outputSchemaId), '--threads', String(opts.threads ?? 1),
    '--idle-timeout-ms', String(opts.idleTimeoutMs ?? 30_000), '--state-dir', stateDir,
    ...(opts.commitIntervalMs !== undefined ? ['--commit-interval-ms', String(opts.commitIntervalMs)] : []),
    ...(opts.dlqTopic !== undefined ? ['--dlq-topic', opts.dlqTopic] : []),
    ...(opts.sessionTimeoutMs !== undefined ? ['--session-timeout-ms', String(opts.sessionTimeoutMs)] : []),
    ...(opts.standbyReplicas !== undefined ? ['--standby-replicas', String(opts.standbyReplicas)] : []),
  ];
}

/**
 * Runs the peer to completion (it stops itself) and returns its report. Its state directory is
 * a fresh temporary folder, removed afterwards. Rejects with the peer's stderr tail on failure.
 */
export function runPeer(opts: PeerRunOptions): Promise<PeerReport & { readonly cpuSeconds: number | null }> {
  const stateDir = mkdtempSync(join(tmpdir(), 'kstreams-peer-'));
  const args = peerArgs(opts, stateDir);
  return new Promise((resolve, reject) => {
    const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const cpu = trackProcessCpu(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
    child.on('error', reject);
    child.on('close', (code) => {
      const cpuSeconds = cpu.stop();
      rmSync(stateDir, { recursive: true, force: true });
      const line = stdout.split('\n').find((l) => l.startsWith('{"peer"'));
      if (!line) {
        reject(new Error(`Kafka Streams peer exited ${code} without a report; stderr tail:\n${stderr}`));
        return;
      }
      const report = JSON.parse(line) as PeerReport;
      if (code !== 0) {
        reject(new Error(`Kafka Streams peer stopped by ${report.stoppedBy} after ${report.processed}/${report.expected} records (exit ${code}); stderr tail:\n${stderr}`));
        return;
      }
      resolve({ ...report, cpuSeconds });
    });
  });
}
