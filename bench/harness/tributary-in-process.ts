import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Kafka } from 'kafkajs';
import { loadTopology, formatProblem } from '../../topology';
import type { CompiledTopology } from '../../topology/compiled-topology';
import { startApplication, type RunningApplication } from '../../runtime/app/start-application';
import type { KafkaClient } from '../../runtime/kafka/client/kafka-client';
import { createLogger } from '../../core/logger';
import { watchOutput } from '../../test/helpers/output-watch';
import { REPO_ROOT } from '../../test/helpers/machine-info';

/** The runtime-overhead workload: consume → Avro decode → one map → Avro encode → produce (at_least_once, no stores). */
export const RUNTIME_MAP_TOPOLOGY = path.join(REPO_ROOT, 'bench', 'topologies', 'runtime-map.yaml');

/**
 * Runs bench/topologies/runtime-map.yaml in this process on a given Kafka client behind the
 * seam (what `tributary run` does, less telemetry and scoring) until the output holds every
 * record; returns the steady-state rate, from the first output to the last.
 */
export async function tributaryInProcessRate(w: {
  readonly watcher: Kafka;
  readonly client: (topology: CompiledTopology) => KafkaClient;
  readonly input: string;
  readonly output: string;
  readonly records: number;
}): Promise<number> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-state-'));
  const env = { ...process.env, APP: `bench-${randomUUID().slice(0, 8)}`, INPUT: w.input, OUTPUT: w.output, STATE_DIR: stateDir, TRIBUTARY_AUTO_REGISTER: '1' };
  const { topology, problems } = loadTopology(RUNTIME_MAP_TOPOLOGY, { env });
  if (!topology) throw new Error(problems.map(formatProblem).join('\n'));
  let failure: unknown;
  // Schemas are registered by the app, as `tributary run` with TRIBUTARY_AUTO_REGISTER=1 does (the variable is read from the process).
  process.env.TRIBUTARY_AUTO_REGISTER = '1';
  const client = w.client(topology);
  const watch = watchOutput(w.watcher, w.output, w.records);
  let app: RunningApplication | undefined;
  try {
    app = await startApplication({
      topology,
      logger: createLogger('bench', 'warn'),
      client,
      onFatal: (error) => { failure = error; watch.stop(); },
    });
    const result = await watch.result;
    if (failure !== undefined) throw failure;
    if (result.doneMs === null) throw new Error(`tributary on ${client.library} produced ${result.finalSpan} of ${w.records} records`);
    return w.records / ((result.doneMs - (result.firstMs ?? 0)) / 1000);
  } finally {
    await app?.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}
