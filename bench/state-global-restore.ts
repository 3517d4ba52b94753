/*
 * Global-store restore speed: a source topic of N distinct keys (JSON values,
 * string keys) on P partitions is restored into a fresh global store the way
 * `tributary run` does before its tasks start (GlobalStoreUpdater: every
 * partition read without a group, decoded with the source's serdes, one
 * RocksDB write batch per fetched batch, per-partition checkpoint).
 * Baseline (same run): the same partitions read through the same client seam
 * with a no-op handler, i.e. what the Kafka client alone delivers. Then a
 * restart with the checkpoint after M more records: it reads only those.
 *
 *   npm run services:start   # Kafka at 127.0.0.1:9092
 *   npx tsc -p tsconfig.json && node dist/bench/state-global-restore.js [--keys 300000] [--partitions 6] [--new 10000]
 *
 * Prints the machine banner first and writes the section `state-global-restore` of bench/results.json.
 */
import '../runtime/kafka/client/kafkajs/kafkajs-patches';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { KafkajsClient } from '../runtime/kafka/client/kafkajs/kafkajs-client';
import { globalRecordDecoder } from '../runtime/kafka/global-stores';
import { createLogger } from '../core/logger';
import { GlobalStore } from '../runtime/state/global-store';
import { GlobalStoreUpdater } from '../runtime/state/global-store-updater';
import { jsonSerde } from '../schemas/serde-json';
import { stringSerde } from '../schemas/serde-string';
import { formatMachineBanner, machineInfo } from '../test/helpers/machine-info';
import { writeResultsSection } from '../test/helpers/results-file';
import { integerOption } from '../runtime/cli/option-parsers';
import { parseScriptOptions, scriptCommand } from '../test/helpers/script-options';

const options = scriptCommand('dist/bench/state-global-restore.js', 'restore of a global store from its topic (needs the local services)')
  .option('--keys <n>', 'keys in the global topic', integerOption('--keys', 1), 300_000)
  .option('--partitions <n>', 'partitions of the global topic', integerOption('--partitions', 1), 6)
  .option('--new <n>', 'keys written after the first restore', integerOption('--new', 0), 10_000);
const opts = parseScriptOptions<{ keys: number; partitions: number; new: number }>(options);
const KEYS = opts.keys;
const PARTITIONS = opts.partitions;
const NEW = opts.new;

async function produce(kafka: Kafka, topic: string, from: number, to: number): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (let start = from; start < to; start += 10_000) {
    const messages = [];
    for (let i = start; i < Math.min(to, start + 10_000); i++) {
      messages.push({ key: `pin-${i}`, value: JSON.stringify({ category: i % 40, objects: [i % 7, i % 11], embedding: [i % 3, i % 5, i % 9, i % 17] }) });
    }
    await producer.send({ topic, acks: -1, messages });
  }
  await producer.disconnect();
}

async function main(): Promise<void> {
  const machine = machineInfo();
  console.log(formatMachineBanner(machine));
  const kafka = new Kafka({ clientId: 'global-restore-bench', brokers: ['127.0.0.1:9092'], logLevel: logLevel.ERROR });
  const admin = kafka.admin();
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(`Kafka is not reachable at 127.0.0.1:9092 (${(error as Error).message}): run \`npm run services:start\``);
  }
  const topic = `bench-global-${randomUUID().slice(0, 8)}`;
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }] });
  const dir = mkdtempSync(join(tmpdir(), 'bench-global-'));
  const client = new KafkajsClient(kafka);
  const logger = createLogger('bench', 'warn');
  const decode = globalRecordDecoder({ topic, key: stringSerde, value: jsonSerde, onError: 'fail' }, logger);
  const log = (line: string) => console.log(`  ${line}`);
  const restore = async () => {
    const store = await GlobalStore.open({ stateDir: dir, appId: 'bench', name: 'pins', topic });
    const updater = new GlobalStoreUpdater({ client, store, decode, tty: false, log });
    const started = Date.now();
    const summary = await updater.start((error) => { throw error; });
    const seconds = (Date.now() - started) / 1000;
    await updater.stop();
    return { store, summary, seconds };
  };
  try {
    const fillStart = Date.now();
    await produce(kafka, topic, 0, KEYS);
    console.log(`topic ${topic}: ${KEYS.toLocaleString('en')} keys on ${PARTITIONS} partitions written in ${((Date.now() - fillStart) / 1000).toFixed(1)} s`);

    const offsets = await admin.fetchTopicOffsets(topic);
    const readStart = Date.now();
    let read = 0;
    await client.readRanges(offsets.map((o) => ({ topic, partition: o.partition, from: o.low, to: o.high })), async (batch) => {
      read += batch.messages.length;
    }, { maxBytesPerPartition: 8 << 20 });
    const readSeconds = (Date.now() - readStart) / 1000;

    const full = await restore();
    const probe = await full.store.view.get(`pin-${KEYS - 1}`) as { category: number } | undefined;
    await full.store.close();
    if (probe?.category !== (KEYS - 1) % 40 || full.summary.records !== KEYS || read !== KEYS) {
      throw new Error(`restore incomplete: ${full.summary.records} restored, ${read} read, last key ${JSON.stringify(probe)}`);
    }

    await produce(kafka, topic, KEYS, KEYS + NEW);
    const again = await restore();
    await again.store.close();
    if (again.summary.records !== NEW || again.store.localState !== 'checkpointed') {
      throw new Error(`restart read ${again.summary.records} records (expected the ${NEW} new ones) from ${again.store.localState} state`);
    }

    const readRate = read / readSeconds;
    const restoreRate = full.summary.records / full.seconds;
    console.log(`client read only (baseline)    ${Math.round(readRate).toLocaleString('en')} records/s (${readSeconds.toFixed(1)} s, group join included)`);
    console.log(`global store restore            ${Math.round(restoreRate).toLocaleString('en')} records/s (${full.seconds.toFixed(1)} s)  x${(restoreRate / readRate).toFixed(2)} of the read-only rate`);
    console.log(`restart from the checkpoint     ${again.summary.records.toLocaleString('en')} new records read in ${again.seconds.toFixed(1)} s (of ${(KEYS + NEW).toLocaleString('en')} in the topic)`);
    writeResultsSection('state-global-restore', {
      machine,
      rows: [{
        keys: KEYS, partitions: PARTITIONS, 'restore records/s': Math.round(restoreRate), 'read-only records/s': Math.round(readRate),
        ratio: Math.round((restoreRate / readRate) * 100) / 100, 'restore s': Math.round(full.seconds * 10) / 10,
        'restart new records': again.summary.records, 'restart s': Math.round(again.seconds * 10) / 10,
      }],
      notes: [`${KEYS} distinct string keys with JSON values on ${PARTITIONS} partitions, restored into a fresh global store (decode + RocksDB + checkpoint); baseline: the same partitions read through the client seam with a no-op handler (group join included); restart: ${NEW} records produced after the checkpoint`],
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
