/**
 * Count+sum throughput: the Kafka Streams peer (bench/peers/kafka-streams) and Tributary doing
 * the same stateful work on identical input, one after the other on the same broker, under
 * at-least-once and exactly-once. Prints records/s of each and the ratio, with the machine,
 * versions and command, and writes the section `kafka-streams-vs-tributary` of bench/results.json.
 *
 *   node dist/bench/kafka-streams-vs-tributary.js [--records 300000] [--keys 100000]
 *     [--partitions 6] [--guarantees at_least_once,exactly_once_v2] [--commit-interval-ms 1000]
 *
 * Needs the local services (npm run services:start), Java 17 and Maven (the peer is built on
 * first use).
 */
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import {
  BENCH_AGGREGATE_SCHEMA_PATH, DEFAULT_BROKERS, DEFAULT_REGISTRY_URL, REPO_ROOT, benchKafka, buildPeer,
  checkAggregateOutput, createRandomTopic, deleteTopics, expectedFinalAggregates, formatMachineBanner,
  formatResultsTable, loadAvsc, machineInfo, produceBenchInput, registerAvroSchema, runPeer, watchOutput,
  writeResultsSection, type PeerGuarantee,
} from './harness';

interface Options {
  records: number;
  keys: number;
  partitions: number;
  guarantees: PeerGuarantee[];
  commitIntervalMs: number;
  seed: number;
}

function parseOptions(argv: readonly string[]): Options {
  const o: Options = { records: 300_000, keys: 100_000, partitions: 6, guarantees: ['at_least_once', 'exactly_once_v2'], commitIntervalMs: 1000, seed: 42 };
  for (let i = 0; i < argv.length; i += 2) {
    const [name, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`option ${name} needs a value`);
    switch (name) {
      case '--records': o.records = Number(value); break;
      case '--keys': o.keys = Number(value); break;
      case '--partitions': o.partitions = Number(value); break;
      case '--commit-interval-ms': o.commitIntervalMs = Number(value); break;
      case '--seed': o.seed = Number(value); break;
      case '--guarantees':
        o.guarantees = value.split(',').map((g) => {
          if (g !== 'at_least_once' && g !== 'exactly_once_v2') throw new Error(`--guarantees takes at_least_once and/or exactly_once_v2, got ${g}`);
          return g;
        });
        break;
      default: throw new Error(`unknown option ${name}`);
    }
  }
  for (const k of ['records', 'keys', 'partitions', 'commitIntervalMs'] as const) {
    if (!Number.isInteger(o[k]) || o[k] <= 0) throw new Error(`--${k} must be a positive integer`);
  }
  return o;
}

/** True once the lead's `tributary run` command is registered in the CLI. */
function tributaryRunExists(): boolean {
  const res = spawnSync('node', ['bin/tributary.js', '--help'], { cwd: REPO_ROOT, encoding: 'utf8' });
  return /^\s+run\b/m.test(res.stdout ?? '');
}

interface Row {
  [column: string]: string | number | boolean | null;
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const machine = machineInfo();
  console.log(formatMachineBanner(machine));
  console.log(`workload: count+sum of amount per key, ${opts.records.toLocaleString('en-US')} records over ${opts.keys.toLocaleString('en-US')} keys, ${opts.partitions} partitions, Avro (Confluent wire format) in and out, commit interval ${opts.commitIntervalMs} ms, 1 stream thread / 1 process`);

  buildPeer((l) => console.log(l));
  const kafka = benchKafka(DEFAULT_BROKERS);
  const topics: string[] = [];
  const rows: Row[] = [];
  const notes: string[] = [];
  try {
    const input = await createRandomTopic(kafka, 'bench-in', opts.partitions);
    topics.push(input);
    const produced = await produceBenchInput({ kafka, topic: input, registryUrl: DEFAULT_REGISTRY_URL, records: opts.records, keys: opts.keys, seed: opts.seed, batchSize: 5000 });
    console.log(`input: ${produced.records.toLocaleString('en-US')} records written to ${input} in ${(produced.elapsedMs / 1000).toFixed(1)} s (schema id ${produced.schemaId})`);
    const expected = expectedFinalAggregates(opts);
    const aggregateSchema = loadAvsc(BENCH_AGGREGATE_SCHEMA_PATH).json;
    const tributaryReady = tributaryRunExists();

    for (const guarantee of opts.guarantees) {
      const output = await createRandomTopic(kafka, 'bench-out-kstreams', opts.partitions);
      topics.push(output);
      const outputSchemaId = await registerAvroSchema(DEFAULT_REGISTRY_URL, `${output}-value`, aggregateSchema);
      const applicationId = `bench-kstreams-${randomUUID()}`;
      topics.push(`${applicationId}-count-sum-changelog`);
      console.log(`kafka-streams ${guarantee}: running (application id ${applicationId})`);
      const watch = watchOutput(kafka, output, opts.records);
      const report = await runPeer({ brokers: DEFAULT_BROKERS, inputTopic: input, outputTopic: output, applicationId, guarantee, expected: opts.records, outputSchemaId, commitIntervalMs: opts.commitIntervalMs });
      watch.stop();
      const seen = await watch.result;
      const check = await checkAggregateOutput(kafka, output, expected, guarantee === 'exactly_once_v2' ? 'read_committed' : 'read_uncommitted');
      if (!check.ok) notes.push(`kafka-streams ${guarantee}: output check FAILED: ${check.examples.join('; ')}`);
      const outsideRate = seen.firstMs !== null && seen.doneMs !== null && seen.doneMs > seen.firstMs ? opts.records / ((seen.doneMs - seen.firstMs) / 1000) : null;
      rows.push({
        system: 'kafka-streams 3.9.1', guarantee, records: report.processed,
        'records/s (own)': Math.round(report.recordsPerSec),
        'records/s (output)': outsideRate === null ? null : Math.round(outsideRate),
        'start→last ms': Math.round(report.startToLastMs),
        'output ok': check.ok, 'extra outputs': check.extraRecords,
      });
      console.log(`kafka-streams ${guarantee}: ${Math.round(report.recordsPerSec).toLocaleString('en-US')} records/s while processing, ${outsideRate === null ? '-' : Math.round(outsideRate).toLocaleString('en-US')} records/s seen at the output, output ${check.ok ? 'correct' : 'WRONG'} (${check.outputRecords} records, ${check.extraRecords} extra)`);

      if (!tributaryReady) {
        console.log(`tributary ${guarantee}: pending runtime (no \`tributary run\` command yet)`);
        rows.push({ system: 'tributary', guarantee, records: null, 'records/s (own)': null, 'records/s (output)': null, 'start→last ms': null, 'output ok': null, 'extra outputs': null });
      }
    }
    if (!tributaryReady) notes.push('tributary: pending runtime — the `tributary run` command does not exist yet, so no ratio is printed');
  } finally {
    await deleteTopics(kafka, topics).catch((err: Error) => console.error(`cleanup: ${err.message}`));
  }

  console.log('');
  console.log(formatResultsTable(['system', 'guarantee', 'records', 'records/s (own)', 'records/s (output)', 'start→last ms', 'output ok', 'extra outputs'], rows));
  for (const n of notes) console.log(n);
  console.log('records/s (own): as the application measures itself, first to last record processed; records/s (output): the same for both, from the first output to the last one appearing in the output topic (polled every 100 ms).');
  writeResultsSection('kafka-streams-vs-tributary', { machine, rows, notes });
  if (notes.some((n) => n.includes('FAILED'))) process.exitCode = 1;
}

main().catch((err: Error) => {
  console.error(`bench: ${err.message}`);
  process.exitCode = 1;
});
