/**
 * kafkajs vs @platformatic/kafka, two ways, on the same input topic in the same script,
 * `--rounds` times alternating (the machine's load drifts):
 *   1. the same hand-written loop (consume → Avro decode → map → Avro encode → produce
 *      acks=all → commit) on each client;
 *   2. Tributary itself (bench/topologies/runtime-map.yaml, at_least_once, in this process)
 *      with each client behind the Kafka client seam: kafkajs (the runtime's adapter) and
 *      @platformatic/kafka (the measurement adapter, test/helpers/platformatic-client.ts).
 * Prints records/s of each round, the medians and the ratios. Issue 4 asks for this
 * measurement before any switch of the runtime's client. kafkajs runs with Tributary's
 * fixes (kafkajs-patches) in both, as the runtime does.
 *
 *   node dist/bench/kafka-client-comparison.js [--records 200000] [--partitions 3] [--rounds 2]
 *
 * Needs the local services (npm run services:start).
 */
// First: kafkajs' fixes, as in the runtime (the seam's kafkajs adapter requires them).
import '../runtime/kafka/client/kafkajs/kafkajs-patches';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as avro from 'avsc';
import { Kafka, logLevel } from 'kafkajs';
import { produceBenchInput, machineInfo, formatMachineBanner, writeResultsSection, REPO_ROOT } from './harness';
import { kafkajsMapLoop } from './harness/map-loop-kafkajs';
import { platformaticMapLoop } from './harness/map-loop-platformatic';
import { tributaryInProcessRate } from './harness/tributary-in-process';
import { PlatformaticClient } from '../test/helpers/platformatic-client';
import { KafkajsClient } from '../runtime/kafka/client/kafkajs/kafkajs-client';
import { createLogger } from '../core/logger';
import { integerOption } from '../runtime/cli/option-parsers';
import { parseScriptOptions, scriptCommand } from '../test/helpers/script-options';
import { median } from '../core/percentile';

const REGISTRY = 'http://127.0.0.1:8081/apis/ccompat/v7';
const BROKERS = ['127.0.0.1:9092'];
const schemaFile = path.join(REPO_ROOT, 'bench', 'schemas', 'bench-event.avsc');

const options = scriptCommand('dist/bench/kafka-client-comparison.js', 'kafkajs vs @platformatic/kafka: a hand-written loop and Tributary on each (needs the local services)')
  .option('--records <n>', 'input records', integerOption('--records', 1), 200_000)
  .option('--partitions <n>', 'input partitions', integerOption('--partitions', 1), 3)
  .option('--rounds <n>', 'alternating rounds; medians are printed', integerOption('--rounds', 1), 2);
const opts = parseScriptOptions<{ records: number; partitions: number; rounds: number }>(options);


function clientVersion(pkg: string): string {
  return (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'node_modules', ...pkg.split('/'), 'package.json'), 'utf8')) as { version: string }).version;
}

async function main(): Promise<void> {
  const records = opts.records;
  const partitions = opts.partitions;
  const rounds = opts.rounds;
  const command = `node dist/bench/kafka-client-comparison.js --records ${records} --partitions ${partitions} --rounds ${rounds}`;
  const kafka = new Kafka({ clientId: 'bench', brokers: BROKERS, logLevel: logLevel.NOTHING });
  const schema = JSON.parse(fs.readFileSync(schemaFile, 'utf8')) as avro.Schema;
  const input = `bench-clients-in-${randomUUID()}`;
  const outputs = Array.from({ length: rounds * 4 }, (_, i) => `${input}-out-${i}`);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [input, ...outputs].map((topic) => ({ topic, numPartitions: partitions })) });
  await admin.disconnect();
  const summary = await produceBenchInput({ kafka, topic: input, registryUrl: REGISTRY, records, keys: 10_000, seed: 7 });
  const versions = `kafkajs ${clientVersion('kafkajs')}, @platformatic/kafka ${clientVersion('@platformatic/kafka')}`;
  process.stdout.write(`${formatMachineBanner(machineInfo())}\nclients: ${versions}\ninput: ${summary.records} Avro records on ${partitions} partitions\n`);

  const rates = { kafkajs: [] as number[], platformatic: [] as number[], tributaryKafkajs: [] as number[], tributaryPlatformatic: [] as number[] };
  const logger = createLogger('bench', 'warn');
  for (let round = 0; round < rounds; round++) {
    const wiring = (output: string) => ({ brokers: BROKERS, registryUrl: REGISTRY, input, output, records, schema });
    const a = await kafkajsMapLoop(wiring(outputs[round * 4]));
    const b = await platformaticMapLoop(wiring(outputs[round * 4 + 1]));
    const c = await tributaryInProcessRate({ watcher: kafka, input, output: outputs[round * 4 + 2], records, client: (t) => KafkajsClient.fromConfig(t.kafka, logger) });
    const d = await tributaryInProcessRate({ watcher: kafka, input, output: outputs[round * 4 + 3], records, client: (t) => new PlatformaticClient(t.kafka.brokers) });
    rates.kafkajs.push(a);
    rates.platformatic.push(b);
    rates.tributaryKafkajs.push(c);
    rates.tributaryPlatformatic.push(d);
    process.stdout.write(`round ${round + 1}: loops: kafkajs ${a.toFixed(0)}, @platformatic/kafka ${b.toFixed(0)} records/s; tributary on kafkajs ${c.toFixed(0)}, on @platformatic/kafka ${d.toFixed(0)} records/s\n`);
  }
  const [k, p, tk, tp] = [median(rates.kafkajs), median(rates.platformatic), median(rates.tributaryKafkajs), median(rates.tributaryPlatformatic)];
  process.stdout.write([
    `median loop on kafkajs:                  ${k.toFixed(0)} records/s`,
    `median loop on @platformatic/kafka:      ${p.toFixed(0)} records/s`,
    `ratio platformatic/kafkajs (loops):      ${(p / k).toFixed(2)}`,
    `median tributary on kafkajs:             ${tk.toFixed(0)} records/s`,
    `median tributary on @platformatic/kafka: ${tp.toFixed(0)} records/s`,
    `ratio platformatic/kafkajs (tributary):  ${(tp / tk).toFixed(2)}`,
    `command: ${command}`,
    '',
  ].join('\n'));
  writeResultsSection('kafka-client-comparison', {
    machine: machineInfo(),
    rows: [{
      command, clients: versions,
      kafkajsRecordsPerSec: Math.round(k), platformaticRecordsPerSec: Math.round(p), ratio: Number((p / k).toFixed(3)),
      tributaryKafkajsRecordsPerSec: Math.round(tk), tributaryPlatformaticRecordsPerSec: Math.round(tp), tributaryRatio: Number((tp / tk).toFixed(3)),
    }],
  });
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
