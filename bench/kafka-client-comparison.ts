/**
 * kafkajs vs @platformatic/kafka: the same hand-written loop (consume → Avro decode → map →
 * Avro encode → produce acks=all → commit) on each client, on the same input topic in the same
 * script, one after the other, `--rounds` times alternating (the machine's load drifts).
 * Prints records/s of each round, the medians and the ratio. Issue 4 asks for this
 * measurement before any switch of the runtime's client.
 *
 *   node dist/bench/kafka-client-comparison.js [--records 200000] [--partitions 3] [--rounds 2]
 *
 * Needs the local services (npm run services:start).
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as avro from 'avsc';
import { Kafka, logLevel } from 'kafkajs';
import { produceBenchInput, machineInfo, formatMachineBanner, writeResultsSection, REPO_ROOT } from './harness';
import { kafkajsMapLoop } from './harness/map-loop-kafkajs';
import { platformaticMapLoop } from './harness/map-loop-platformatic';

const REGISTRY = 'http://127.0.0.1:8081/apis/ccompat/v7';
const BROKERS = ['127.0.0.1:9092'];
const schemaFile = path.join(REPO_ROOT, 'bench', 'schemas', 'bench-event.avsc');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function clientVersion(pkg: string): string {
  return (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'node_modules', ...pkg.split('/'), 'package.json'), 'utf8')) as { version: string }).version;
}

async function main(): Promise<void> {
  const records = arg('records', 200_000);
  const partitions = arg('partitions', 3);
  const rounds = arg('rounds', 2);
  const command = `node dist/bench/kafka-client-comparison.js --records ${records} --partitions ${partitions} --rounds ${rounds}`;
  const kafka = new Kafka({ clientId: 'bench', brokers: BROKERS, logLevel: logLevel.NOTHING });
  const schema = JSON.parse(fs.readFileSync(schemaFile, 'utf8')) as avro.Schema;
  const input = `bench-clients-in-${randomUUID()}`;
  const outputs = Array.from({ length: rounds * 2 }, (_, i) => `${input}-out-${i}`);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [input, ...outputs].map((topic) => ({ topic, numPartitions: partitions })) });
  await admin.disconnect();
  const summary = await produceBenchInput({ kafka, topic: input, registryUrl: REGISTRY, records, keys: 10_000, seed: 7 });
  const versions = `kafkajs ${clientVersion('kafkajs')}, @platformatic/kafka ${clientVersion('@platformatic/kafka')}`;
  process.stdout.write(`${formatMachineBanner(machineInfo())}\nclients: ${versions}\ninput: ${summary.records} Avro records on ${partitions} partitions\n`);

  const rates = { kafkajs: [] as number[], platformatic: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    const wiring = (output: string) => ({ brokers: BROKERS, registryUrl: REGISTRY, input, output, records, schema });
    const a = await kafkajsMapLoop(wiring(outputs[round * 2]));
    const b = await platformaticMapLoop(wiring(outputs[round * 2 + 1]));
    rates.kafkajs.push(a);
    rates.platformatic.push(b);
    process.stdout.write(`round ${round + 1}: kafkajs ${a.toFixed(0)} records/s, @platformatic/kafka ${b.toFixed(0)} records/s\n`);
  }
  const [k, p] = [median(rates.kafkajs), median(rates.platformatic)];
  process.stdout.write([
    `median kafkajs:             ${k.toFixed(0)} records/s`,
    `median @platformatic/kafka: ${p.toFixed(0)} records/s`,
    `ratio platformatic/kafkajs: ${(p / k).toFixed(2)}`,
    `command: ${command}`,
    '',
  ].join('\n'));
  writeResultsSection('kafka-client-comparison', {
    machine: machineInfo(),
    rows: [{ command, clients: versions, kafkajsRecordsPerSec: Math.round(k), platformaticRecordsPerSec: Math.round(p), ratio: Number((p / k).toFixed(3)) }],
  });
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
