/**
 * Runtime overhead: records/s of consume → Avro decode → stateless map →
 * Avro encode → produce, through `tributary run` and through a minimal
 * hand-written kafkajs loop doing the same work, on the same input topic in
 * the same script, one after the other. Prints both rates and the ratio. Rates are steady
 * state: from each run's first output to its last, so neither pays for its start-up.
 *
 *   node dist/bench/runtime-overhead.js [--records 200000] [--partitions 3] [--patched-baseline]
 *
 * Needs the local services (npm run services:start).
 */
// Before kafkajs loads: --patched-baseline gives the hand-written loop the kafkajs fixes Tributary
// installs (runtime/kafka/client/kafkajs/kafkajs-patches.ts), so the ratio shows the framework's own overhead.
// eslint-disable-next-line @typescript-eslint/no-require-imports
if (process.argv.includes('--patched-baseline')) require('../runtime/kafka/client/kafkajs/kafkajs-patches');
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as avro from 'avsc';
import { Kafka, logLevel } from 'kafkajs';
import { kafkajsMapLoop } from './harness/map-loop-kafkajs';
import { produceBenchInput, watchOutput, machineInfo, formatMachineBanner, writeResultsSection, REPO_ROOT } from './harness';
import { startTributary } from '../test/helpers/tributary-process';
import { integerOption } from '../runtime/cli/option-parsers';
import { parseScriptOptions, scriptCommand } from '../test/helpers/script-options';

const REGISTRY = 'http://127.0.0.1:8081/apis/ccompat/v7';
const schemaFile = path.join(REPO_ROOT, 'bench', 'schemas', 'bench-event.avsc');
const topologyFile = path.join(REPO_ROOT, 'bench', 'topologies', 'runtime-map.yaml');

const options = scriptCommand('dist/bench/runtime-overhead.js', 'Tributary vs a hand-written kafkajs loop on the same work (needs the local services)')
  .option('--records <n>', 'input records', integerOption('--records', 1), 200_000)
  .option('--partitions <n>', 'input partitions', integerOption('--partitions', 1), 3)
  .option('--patched-baseline', 'give the baseline loop the kafkajs fixes of Tributary too');
const opts = parseScriptOptions<{ records: number; partitions: number; patchedBaseline?: boolean }>(options);

async function tributaryRun(kafka: Kafka, input: string, output: string, records: number): Promise<number> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-state-'));
  const watch = watchOutput(kafka, output, records);
  const proc = startTributary(['run', topologyFile, '--no-metrics'], {
    APP: `bench-${randomUUID().slice(0, 8)}`, INPUT: input, OUTPUT: output, STATE_DIR: stateDir, TRIBUTARY_AUTO_REGISTER: '1',
  });
  try {
    const result = await watch.result;
    if (result.doneMs === null) throw new Error(`tributary produced ${result.finalSpan} of ${records} records:\n${proc.output().slice(-2000)}`);
    // Steady state, as for the baseline: from the first output to the last (process start-up excluded).
    return records / ((result.doneMs - (result.firstMs ?? 0)) / 1000);
  } finally {
    proc.child.kill('SIGTERM');
    await proc.exited;
  }
}

async function main(): Promise<void> {
  const records = opts.records;
  const partitions = opts.partitions;
  const patched = opts.patchedBaseline ? ' --patched-baseline' : '';
  const kafka = new Kafka({ clientId: 'bench', brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING });
  const schema = JSON.parse(fs.readFileSync(schemaFile, 'utf8')) as avro.Schema;
  const input = `bench-in-${randomUUID()}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [input, `${input}-base`, `${input}-trib`].map((topic) => ({ topic, numPartitions: partitions })) });
  await admin.disconnect();
  const summary = await produceBenchInput({ kafka, topic: input, registryUrl: REGISTRY, records, keys: 10_000, seed: 7 });
  process.stdout.write(`${formatMachineBanner(machineInfo())}\ninput: ${summary.records} Avro records on ${partitions} partitions\n`);

  // Both read the same input topic from the beginning (different groups), one after the other.
  const baseline = await kafkajsMapLoop({ brokers: ['127.0.0.1:9092'], registryUrl: REGISTRY, input, output: `${input}-base`, records, schema });
  const tributary = await tributaryRun(kafka, input, `${input}-trib`, records);
  const ratio = tributary / baseline;
  process.stdout.write([
    `hand-written kafkajs loop: ${baseline.toFixed(0)} records/s (${patched ? 'with Tributary\'s kafkajs fixes' : 'stock kafkajs'})`,
    `tributary run:             ${tributary.toFixed(0)} records/s`,
    `ratio tributary/baseline:  ${ratio.toFixed(2)} (overhead ${((1 - ratio) * 100).toFixed(0)}%; goal: overhead <= 15%)`,
    `command: node dist/bench/runtime-overhead.js --records ${records} --partitions ${partitions}${patched}`,
    '',
  ].join('\n'));
  writeResultsSection('runtime-overhead', {
    machine: machineInfo(),
    rows: [{
      command: `node dist/bench/runtime-overhead.js --records ${records} --partitions ${partitions}${patched}`,
      baselineKafkajs: patched ? 'with Tributary\'s kafkajs fixes' : 'stock kafkajs 2.2.4',
      baselineRecordsPerSec: Math.round(baseline),
      tributaryRecordsPerSec: Math.round(tributary),
      ratio: Number(ratio.toFixed(3)),
    }],
  });
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
