/*
 * Stateful aggregation through TaskStores with the write-back cache on and off
 * (baseline: off), the way an operator uses a store: per batch of 1,000
 * records one multi-get of the batch's keys, a put per record, and a commit
 * (flush: cache → changelog records → one RocksDB write batch) every 10 batches.
 * Keys are skewed (a quarter of the records hit 1% of the keys), like
 * engagement streams. Each commit produces its changelog records to a real
 * compacted topic (idempotent producer, acks=all) as the task would; with
 * --no-kafka they are only counted (store cost alone).
 *
 *   npm run services:start   # Kafka at 127.0.0.1:9092
 *   npx tsc -p tsconfig.json && node dist/bench/state-aggregation.js [--records 300000] [--keys 20000] [--no-kafka]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { changelogRequirement } from '../runtime/kafka/internal-topics';
import { ensureTopics } from '../runtime/kafka/topic-admin';
import { changelogTopicName } from '../topology/internal-topic-names';
import { KafkajsAdmin } from '../runtime/kafka/client/kafkajs/kafkajs-admin';
import { TaskStores } from '../runtime/state/task-stores';
import { integerOption } from '../runtime/cli/option-parsers';
import { parseScriptOptions, scriptCommand } from '../test/helpers/script-options';
import { median } from '../core/percentile';

const options = scriptCommand('dist/bench/state-aggregation.js', 'a changelogged aggregation over RocksDB: records/s with and without Kafka')
  .option('--records <n>', 'input records', integerOption('--records', 1), 300_000)
  .option('--keys <n>', 'distinct keys', integerOption('--keys', 1), 20_000)
  .option('--no-kafka', 'only the in-process figures (no broker needed)');
const opts = parseScriptOptions<{ records: number; keys: number; kafka: boolean }>(options);
const RECORDS = opts.records;
const KEYS = opts.keys;
const BATCH = 1000;
const COMMIT_EVERY = 10;
const KAFKA = opts.kafka;

interface Agg {
  count: number;
  sum: number;
}

function keysOfBatch(b: number): string[] {
  const out: string[] = [];
  let x = (b * 2654435761 + 1) >>> 0;
  for (let i = 0; i < BATCH; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out.push(`user-${i % 4 === 0 ? x % Math.max(1, Math.floor(KEYS / 100)) : x % KEYS}`);
  }
  return out;
}

async function run(cache: boolean, producer?: Producer, appId = 'bench'): Promise<{ perSecond: number; changelogPerCommit: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-agg-'));
  const stores = await TaskStores.open({
    stateDir: dir, appId, taskId: '0_0',
    stores: [{ name: 'agg', changelog: true, cache: cache ? 'bytes' : 'none', cacheEntries: 50_000 }],
  });
  const agg = stores.keyValueStore<string, Agg>('agg');
  let changelog = 0;
  let commits = 0;
  const batches = Math.ceil(RECORDS / BATCH);
  const started = process.hrtime.bigint();
  for (let b = 0; b < batches; b++) {
    const keys = keysOfBatch(b);
    const distinct = [...new Set(keys)];
    const found = await agg.getMany(distinct);
    const current = new Map<string, Agg>();
    distinct.forEach((k, i) => current.set(k, found[i] ?? { count: 0, sum: 0 }));
    for (let i = 0; i < keys.length; i++) {
      const prev = current.get(keys[i])!;
      const next = { count: prev.count + 1, sum: prev.sum + (i % 17) };
      current.set(keys[i], next);
      agg.put(keys[i], next);
    }
    if ((b + 1) % COMMIT_EVERY === 0 || b === batches - 1) {
      const records = await stores.flush();
      changelog += records.length;
      if (producer !== undefined && records.length > 0) {
        await producer.send({ topic: records[0].topic, acks: -1, messages: records.map((r) => ({ key: r.key, value: r.value, partition: r.partition })) });
      }
      await stores.commitApplied([]);
      commits++;
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const total = await agg.get('user-0');
  if (total === undefined || total.count === 0) throw new Error('aggregation lost its state');
  await stores.close();
  rmSync(dir, { recursive: true, force: true });
  return { perSecond: (batches * BATCH) / seconds, changelogPerCommit: changelog / commits };
}

async function main(): Promise<void> {
  const runs: Record<'off' | 'on', Array<{ perSecond: number; changelogPerCommit: number }>> = { off: [], on: [] };
  const appId = `bench-${randomUUID().slice(0, 8)}`;
  let kafka: Kafka | undefined;
  let producer: Producer | undefined;
  if (KAFKA) {
    kafka = new Kafka({ clientId: 'state-bench', brokers: ['127.0.0.1:9092'], logLevel: logLevel.ERROR });
    const admin = kafka.admin();
    try {
      await admin.connect();
    } catch (error) {
      throw new Error(`Kafka is not reachable at 127.0.0.1:9092 (${(error as Error).message}): run \`npm run services:start\` or pass --no-kafka`);
    }
    await ensureTopics(new KafkajsAdmin(admin), [changelogRequirement({ name: 'agg', changelogTopic: changelogTopicName(appId, 'agg') }, 1)], 'create');
    await admin.disconnect();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  }
  try {
    for (let rep = 0; rep < 3; rep++) {
      runs.off.push(await run(false, producer, appId));
      runs.on.push(await run(true, producer, appId));
    }
  } finally {
    await producer?.disconnect();
    if (kafka !== undefined) {
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [changelogTopicName(appId, 'agg')] }).catch(() => undefined);
      await admin.disconnect();
    }
  }
  const off = median(runs.off.map((r) => r.perSecond));
  const on = median(runs.on.map((r) => r.perSecond));
  console.log(`records=${RECORDS} keys=${KEYS} batch=${BATCH} commit every ${COMMIT_EVERY * BATCH} records, changelog ${KAFKA ? 'produced to Kafka' : 'not produced'} (median of 3)`);
  console.log(`cache off (baseline)  ${Math.round(off).toLocaleString('en')} records/s  ${Math.round(runs.off[0].changelogPerCommit)} changelog records/commit`);
  console.log(`cache on              ${Math.round(on).toLocaleString('en')} records/s  ${Math.round(runs.on[0].changelogPerCommit)} changelog records/commit  x${(on / off).toFixed(2)} vs off`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
