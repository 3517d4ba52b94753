import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildPeer, peerArgs } from '../helpers/kafka-streams-peer';
import { BENCH_TOPOLOGY, startTributaryBench, tributaryRunExists } from '../helpers/tributary-runner';
import type { DeliveryGuarantee } from './delivery-verifier';
import { ManagedProcess } from '../helpers/managed-process';
import { REPO_ROOT } from '../helpers/machine-info';

/** The topics and settings one fault run gives the application. */
export interface AppWiring {
  readonly brokers: readonly string[];
  readonly inputTopic: string;
  readonly outputTopic: string;
  readonly dlqTopic: string;
  readonly applicationId: string;
  readonly guarantee: DeliveryGuarantee;
  readonly outputSchemaId: number;
  /** Folder for logs and state; each instance number gets its own state folder. */
  readonly workDir: string;
}

/** An application the fault suite can start (again and again) and kill. */
export interface AppUnderTest {
  readonly name: string;
  /** Why it cannot run here, or null when it can. */
  unavailable(): string | null;
  /** Starts instance `instance` (instances with the same number share a state folder, as a restarted process on the same host would). */
  start(wiring: AppWiring, instance: number): ManagedProcess;
}

/**
 * The Kafka Streams peer (bench/peers/kafka-streams) doing the count+sum workload with a
 * dead-letter topic: a known-good application that proves the driver and verifier until
 * Tributary's runtime runs the same topology.
 */
export const kafkaStreamsApp: AppUnderTest = {
  name: 'kafka-streams',
  unavailable: () => {
    try {
      buildPeer();
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  },
  start: (w, instance) => {
    const stateDir = join(w.workDir, `state-${instance}`);
    mkdirSync(stateDir, { recursive: true });
    const args = peerArgs({
      brokers: w.brokers, inputTopic: w.inputTopic, outputTopic: w.outputTopic, applicationId: w.applicationId,
      guarantee: w.guarantee === 'exactly_once' ? 'exactly_once_v2' : 'at_least_once',
      expected: Number.MAX_SAFE_INTEGER, outputSchemaId: w.outputSchemaId, idleTimeoutMs: 3_600_000,
      commitIntervalMs: 500, dlqTopic: w.dlqTopic, sessionTimeoutMs: 6000, heap: '384m', standbyReplicas: Number(process.env.STANDBY_REPLICAS ?? 0),
    }, stateDir);
    return new ManagedProcess({ command: 'java', args, logFile: join(w.workDir, `app-${instance}.log`) }).start();
  },
};

/**
 * Tributary itself: `node bin/tributary.js run bench/topologies/bench-count-sum.yaml` with the
 * run's topics in its environment (its consumer group is the application id).
 */
export const tributaryApp: AppUnderTest = {
  name: 'tributary',
  unavailable: () => (tributaryRunExists() ? null : 'pending runtime: `tributary run` does not exist yet'),
  start: (w, instance) => {
    const stateDir = join(w.workDir, `state-${instance}`);
    mkdirSync(stateDir, { recursive: true });
    return startTributaryBench({
      brokers: w.brokers, applicationId: w.applicationId, inputTopic: w.inputTopic, outputTopic: w.outputTopic,
      dlqTopic: w.dlqTopic, guarantee: w.guarantee, stateDir, commitIntervalMs: 500, logFile: join(w.workDir, `app-${instance}.log`),
    });
  },
};

/** The topology the Tributary app runs (for reports). */
export const TRIBUTARY_FAULT_TOPOLOGY = BENCH_TOPOLOGY;

/** The count+sum topology with a `score` step (fault-suite --scoring). */
export const SCORED_FAULT_TOPOLOGY = join(REPO_ROOT, 'bench', 'topologies', 'bench-count-sum-scored.yaml');

/**
 * Tributary running bench-count-sum-scored.yaml: count+sum, then a score by `modelDir` through
 * the process's scoring pool, with the remote endpoints given (`--remote`, the traffic) and
 * `localWorkers` worker threads (`--scoring-workers`, the fallback when no endpoint answers).
 */
export function tributaryScoredApp(scoring: { readonly endpoints: readonly string[]; readonly localWorkers: number; readonly modelDir: string }): AppUnderTest {
  return {
    name: 'tributary',
    unavailable: tributaryApp.unavailable,
    start: (w, instance) => {
      const stateDir = join(w.workDir, `state-${instance}`);
      mkdirSync(stateDir, { recursive: true });
      return new ManagedProcess({
        command: process.execPath,
        args: ['bin/tributary.js', 'run', SCORED_FAULT_TOPOLOGY, '--no-metrics', '--scoring-workers', String(scoring.localWorkers),
          ...scoring.endpoints.flatMap((e) => ['--remote', e])],
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          APP: w.applicationId, INPUT: w.inputTopic, OUTPUT: w.outputTopic, DLQ_TOPIC: w.dlqTopic, GUARANTEE: w.guarantee,
          STATE_DIR: stateDir, COMMIT_INTERVAL: '500ms', KAFKA_BROKERS: w.brokers.join(','), SCORING_MODEL: scoring.modelDir,
        },
        logFile: join(w.workDir, `app-${instance}.log`),
      }).start();
    },
  };
}
