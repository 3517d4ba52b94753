/*
 * Restore speed: a changelog of N distinct keys in one compacted partition is
 * restored into a fresh task directory through TaskStores.restore +
 * KafkaChangelogReader. Baseline (same run): the same reader over the same
 * partition with a no-op batch handler, i.e. what kafkajs alone can deliver.
 *
 *   npm run services:start   # Kafka at 127.0.0.1:9092
 *   npx tsc -p tsconfig.json && node dist/bench/state-restore.js [--keys 1000000]
 *
 * Prints the machine banner first and writes the section `state-restore` of bench/results.json.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaChangelogReader } from '../runtime/state/changelog-restorer';
import { changelogRequirement } from '../runtime/kafka/internal-topics';
import { ensureTopics } from '../runtime/kafka/topic-admin';
import { changelogTopicName } from '../topology/internal-topic-names';
import { KafkajsAdmin } from '../runtime/kafka/client/kafkajs/kafkajs-admin';
import { KafkajsClient } from '../runtime/kafka/client/kafkajs/kafkajs-client';
import { structuredKeySerde } from '../runtime/state/serde-structured-key';
import { TaskStores } from '../runtime/state/task-stores';
import { formatMachineBanner, machineInfo } from '../test/helpers/machine-info';
import { writeResultsSection } from '../test/helpers/results-file';
import { integerOption } from '../runtime/cli/option-parsers';
import { parseScriptOptions, scriptCommand } from '../test/helpers/script-options';

const options = scriptCommand('dist/bench/state-restore.js', 'restore of a store from its changelog vs a plain kafkajs read (needs the local services)')
  .option('--keys <n>', 'keys in the changelog', integerOption('--keys', 1), 1_000_000);
const opts = parseScriptOptions<{ keys: number }>(options);
const KEYS = opts.keys;

async function main(): Promise<void> {
  const machine = machineInfo();
  console.log(formatMachineBanner(machine));
  const kafka = new Kafka({ clientId: 'state-restore-bench', brokers: ['127.0.0.1:9092'], logLevel: logLevel.ERROR });
  const admin = kafka.admin();
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(`Kafka is not reachable at 127.0.0.1:9092 (${(error as Error).message}): run \`npm run services:start\``);
  }
  const appId = `bench-${randomUUID().slice(0, 8)}`;
  const topic = changelogTopicName(appId, 'features');
  await ensureTopics(new KafkajsAdmin(admin), [changelogRequirement({ name: 'features', changelogTopic: topic }, 1)], 'create');
  const log = (line: string) => console.log(`  ${line}`);
  try {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const fillStart = Date.now();
    for (let start = 0; start < KEYS; start += 10_000) {
      const messages = [];
      for (let i = start; i < Math.min(KEYS, start + 10_000); i++) {
        messages.push({
          partition: 0,
          key: structuredKeySerde.serialize(`user-${i}`),
          value: Buffer.from(JSON.stringify({ count: i % 1000, affinity: [i % 7, i % 11, i % 13], last: 1_700_000_000_000 + i })),
        });
      }
      await producer.send({ topic, acks: -1, messages });
    }
    await producer.disconnect();
    console.log(`changelog ${topic}: ${KEYS.toLocaleString('en')} keys written in ${((Date.now() - fillStart) / 1000).toFixed(1)} s`);

    const reader = new KafkaChangelogReader(new KafkajsClient(kafka), { tty: false, log });
    const readStart = Date.now();
    let read = 0;
    await reader.read([{ topic, partition: 0 }], async (batch) => {
      read += batch.records.length;
    });
    const readSeconds = (Date.now() - readStart) / 1000;

    const dir = mkdtempSync(join(tmpdir(), 'bench-restore-'));
    const stores = await TaskStores.open({ stateDir: dir, appId, taskId: '0_0', stores: [{ name: 'features', changelog: true }] });
    const restoreStart = Date.now();
    const [summary] = await stores.restore(reader);
    const restoreSeconds = (Date.now() - restoreStart) / 1000;
    const probe = await stores.keyValueStore<string, { count: number }>('features').get(`user-${KEYS - 1}`);
    if (probe?.count !== (KEYS - 1) % 1000 || summary.records !== KEYS || read !== KEYS) {
      throw new Error(`restore incomplete: ${summary.records} restored, ${read} read, last key ${JSON.stringify(probe)}`);
    }
    await stores.close();
    rmSync(dir, { recursive: true, force: true });

    const readRate = read / readSeconds;
    const restoreRate = summary.records / restoreSeconds;
    console.log(`kafkajs read only (baseline)  ${Math.round(readRate).toLocaleString('en')} records/s (${readSeconds.toFixed(1)} s, group join included)`);
    console.log(`restore into RocksDB          ${Math.round(restoreRate).toLocaleString('en')} records/s (${restoreSeconds.toFixed(1)} s)  x${(restoreRate / readRate).toFixed(2)} of the read-only rate`);
    writeResultsSection('state-restore', {
      machine,
      rows: [{ keys: KEYS, 'restore records/s': Math.round(restoreRate), 'kafkajs read-only records/s': Math.round(readRate), ratio: Math.round((restoreRate / readRate) * 100) / 100, 'restore s': Math.round(restoreSeconds * 10) / 10 }],
      notes: [`${KEYS} distinct keys in one compacted changelog partition, restored into a fresh task directory; baseline: the same reader with a no-op handler (group join included)`],
    });
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
