/**
 * Count+sum throughput: the Kafka Streams peer (bench/peers/kafka-streams) and Tributary doing
 * the same stateful work on identical input, one after the other on the same broker, under
 * at-least-once and exactly-once. Prints records/s of each and the ratio, with the machine,
 * versions and command, and writes the section `kafka-streams-vs-tributary` of bench/results.json.
 *
 *   node dist/bench/kafka-streams-vs-tributary.js [--records 300000] [--keys 100000]
 *     [--partitions 6] [--guarantees at_least_once,exactly_once_v2] [--commit-interval-ms 1000]
 *     [--scale true|false] [--operators custom,aggregate]
 *
 * Needs the local services (npm run services:start), Java 17 and Maven (the peer is built on
 * first use).
 */
// First: kafkajs' fixes (read_committed, produce grouping) must be in place before kafkajs loads (see the module).
import '../runtime/kafka/client/kafkajs/kafkajs-patches';
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import {
  BENCH_AGGREGATE_SCHEMA_PATH, BENCH_AGGREGATE_TOPOLOGY, BENCH_TOPOLOGY, DEFAULT_BROKERS, DEFAULT_REGISTRY_URL, benchKafka, buildPeer,
  checkAggregateOutput, createRandomTopic, deleteTopics, expectedFinalAggregates, formatMachineBanner,
  formatResultsTable, loadAvsc, machineInfo, produceBenchInput, registerAvroSchema, runPeer, runTributaryBench,
  tributaryRunExists, watchOutput, writeResultsSection, type PeerGuarantee,
} from './harness';
import { InvalidArgumentError } from 'commander';
import { choiceOption, integerOption, listOption } from '../runtime/cli/option-parsers';
import { parseScriptOptions, scriptCommand } from '../test/helpers/script-options';

interface Options {
  records: number;
  keys: number;
  partitions: number;
  guarantees: PeerGuarantee[];
  commitIntervalMs: number;
  /** Also run 2 Tributary processes of the same application (exactly-once) for the scale row. */
  scale: boolean;
  /** Folder for V8 CPU profiles of the Tributary processes (none: no profiling). */
  profileDir?: string;
  seed: number;
  /** Which Tributary topologies run against the peer: the custom operator, the built-in aggregate. */
  operators: OperatorVariant[];
}

type OperatorVariant = 'custom' | 'aggregate';

/** What each variant runs and how its rows are named. */
const VARIANTS: Record<OperatorVariant, { topology: string; label: string }> = {
  custom: { topology: BENCH_TOPOLOGY, label: 'custom operator' },
  aggregate: { topology: BENCH_AGGREGATE_TOPOLOGY, label: 'built-in aggregate' },
};

function parseOptions(argv: readonly string[]): Options {
  const flag = (text: string): boolean => {
    if (text !== 'true' && text !== 'false') throw new InvalidArgumentError(`--scale takes true or false, not '${text}'`);
    return text === 'true';
  };
  const command = scriptCommand('dist/bench/kafka-streams-vs-tributary.js', 'count+sum throughput: the Kafka Streams peer and Tributary on identical input (needs the local services, Java 17 and Maven)')
    .option('--records <n>', 'input records', integerOption('--records', 1), 300_000)
    .option('--keys <n>', 'distinct keys', integerOption('--keys', 1), 100_000)
    .option('--partitions <n>', 'input partitions', integerOption('--partitions', 1), 6)
    .option('--guarantees <list>', 'at_least_once and/or exactly_once_v2, comma-separated', listOption(choiceOption('--guarantees', ['at_least_once', 'exactly_once_v2'] as const)), ['at_least_once', 'exactly_once_v2'] as PeerGuarantee[])
    .option('--commit-interval-ms <ms>', 'commit interval of both', integerOption('--commit-interval-ms', 1), 1000)
    .option('--seed <n>', 'input seed', integerOption('--seed', 0), 42)
    .option('--scale <true|false>', 'also run 2 Tributary processes (exactly-once) for the scale row', flag, true)
    .option('--operators <list>', 'Tributary variants: custom (bench-count-sum.yaml\'s operator) and/or aggregate (the built-in aggregate step), comma-separated', listOption(choiceOption('--operators', ['custom', 'aggregate'] as const)), ['custom', 'aggregate'] as OperatorVariant[])
    .option('--profile-dir <dir>', 'write a V8 CPU profile of each Tributary process there (node --cpu-prof), to see where the time goes');
  return parseScriptOptions<Options>(command, argv);
}

interface Row {
  [column: string]: string | number | boolean | null;
}

/** CPU milliseconds per 1,000 records, or null when not measured. */
function cpuPerThousand(cpuSeconds: number | null, records: number): number | null {
  return cpuSeconds === null ? null : Math.round((cpuSeconds * 1e6) / records);
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv);
  const machine = machineInfo();
  console.log(formatMachineBanner(machine));
  console.log(`workload: count+sum of amount per key, ${opts.records.toLocaleString('en-US')} records over ${opts.keys.toLocaleString('en-US')} keys, ${opts.partitions} partitions, Avro (Confluent wire format) in and out, commit interval ${opts.commitIntervalMs} ms, 1 stream thread / 1 process`);

  buildPeer((l) => console.log(l));
  const kafka = benchKafka(DEFAULT_BROKERS);
  const topics: string[] = [];
  const rows: Row[] = [];
  const notes: string[] = [];
  const ratios: { guarantee: string; variant: string; ratio: number | null; cpuRatio: number | null }[] = [];
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
      topics.push(`${applicationId}-${'count-sum'}-changelog`);
      console.log(`kafka-streams ${guarantee}: running (application id ${applicationId})`);
      const watch = watchOutput(kafka, output, opts.records);
      const report = await runPeer({ brokers: DEFAULT_BROKERS, inputTopic: input, outputTopic: output, applicationId, guarantee, expected: opts.records, outputSchemaId, commitIntervalMs: opts.commitIntervalMs });
      watch.stop();
      const seen = await watch.result;
      const check = await checkAggregateOutput(kafka, output, expected, guarantee === 'exactly_once_v2' ? 'read_committed' : 'read_uncommitted');
      if (!check.ok) notes.push(`kafka-streams ${guarantee}: output check FAILED: ${check.examples.join('; ')}`);
      const outsideRate = seen.firstMs !== null && seen.doneMs !== null && seen.doneMs > seen.firstMs ? opts.records / ((seen.doneMs - seen.firstMs) / 1000) : null;
      const wallRate = seen.doneMs ? opts.records / (seen.doneMs / 1000) : null;
      rows.push({
        system: 'kafka-streams 3.9.1', guarantee, records: report.processed,
        'records/s (wall)': wallRate === null ? null : Math.round(wallRate),
        'records/s (first→last out)': outsideRate === null ? null : Math.round(outsideRate),
        'records/s (own)': Math.round(report.recordsPerSec),
        'start→last out ms': seen.doneMs,
        'CPU ms / 1k records': cpuPerThousand(report.cpuSeconds, opts.records),
        'output ok': check.ok, 'extra outputs': check.extraRecords,
      });
      console.log(`kafka-streams ${guarantee}: ${wallRate === null ? '-' : Math.round(wallRate).toLocaleString('en-US')} records/s wall (start to last output), ${Math.round(report.recordsPerSec).toLocaleString('en-US')} while processing (own), output ${check.ok ? 'correct' : 'WRONG'} (${check.outputRecords} records, ${check.extraRecords} extra)`);

      if (!tributaryReady) {
        console.log(`tributary ${guarantee}: pending runtime (no \`tributary run\` command yet)`);
        rows.push({ system: 'tributary', guarantee, records: null, 'records/s (wall)': null, 'records/s (first→last out)': null, 'records/s (own)': null, 'start→last out ms': null, 'output ok': null, 'extra outputs': null });
        continue;
      }
      const tGuarantee = guarantee === 'exactly_once_v2' ? 'exactly_once' : 'at_least_once';
      for (const variant of opts.operators) {
        const label = VARIANTS[variant].label;
        const tOutput = await createRandomTopic(kafka, 'bench-out-tributary', opts.partitions);
        const tDlq = await createRandomTopic(kafka, 'bench-dlq-tributary', 1);
        topics.push(tOutput, tDlq);
        await registerAvroSchema(DEFAULT_REGISTRY_URL, `${tOutput}-value`, aggregateSchema);
        const tApp = `bench-tributary-${variant}-${randomUUID()}`;
        console.log(`tributary ${tGuarantee}, ${label}: running (application id ${tApp})`);
        const t = await runTributaryBench(kafka, { brokers: DEFAULT_BROKERS, applicationId: tApp, inputTopic: input, outputTopic: tOutput, dlqTopic: tDlq, guarantee: tGuarantee, commitIntervalMs: opts.commitIntervalMs, topology: VARIANTS[variant].topology, ...(opts.profileDir ? { profileDir: opts.profileDir } : {}) }, opts.records, {});
        topics.push(...(await internalTopicsOf(kafka, tApp)));
        const tCheck = await checkAggregateOutput(kafka, tOutput, expected, tGuarantee === 'exactly_once' ? 'read_committed' : 'read_uncommitted');
        if (!tCheck.ok) notes.push(`tributary ${tGuarantee}, ${label}: output check FAILED (${tCheck.outputRecords} records; log ${t.logFile}): ${tCheck.examples.join('; ')}`);
        const tRate = t.firstMs !== null && t.doneMs !== null && t.doneMs > t.firstMs ? opts.records / ((t.doneMs - t.firstMs) / 1000) : null;
        const tWall = t.doneMs ? opts.records / (t.doneMs / 1000) : null;
        rows.push({
          system: `tributary (${label})`, guarantee, records: tCheck.outputRecords,
          'records/s (wall)': tWall === null ? null : Math.round(tWall),
          'records/s (first→last out)': tRate === null ? null : Math.round(tRate), 'records/s (own)': null,
          'start→last out ms': t.doneMs, 'CPU ms / 1k records': cpuPerThousand(t.cpuSeconds, opts.records),
          'output ok': tCheck.ok, 'extra outputs': tCheck.extraRecords,
        });
        const ratio = tWall !== null && wallRate !== null ? tWall / wallRate : null;
        const cpuRatio = report.cpuSeconds !== null && t.cpuSeconds !== null && t.cpuSeconds > 0 ? report.cpuSeconds / t.cpuSeconds : null;
        console.log(`tributary ${tGuarantee}, ${label}: ${tWall === null ? `did not finish (exit ${t.exitCode}; log ${t.logFile})` : `${Math.round(tWall).toLocaleString('en-US')} records/s wall (start to last output)`}, output ${tCheck.ok ? 'correct' : 'WRONG'} (${tCheck.outputRecords} records, ${tCheck.extraRecords} extra)`);
        console.log(`ratio tributary (${label}) / kafka-streams (${guarantee}, records/s wall, 1 process each): ${ratio === null ? '-' : ratio.toFixed(2)}${tCheck.ok ? '' : ' (NOT VALID: tributary output wrong)'}`);
        console.log(`CPU per record, kafka-streams / tributary (${label}, ${guarantee}; above 1: tributary uses less): ${cpuRatio === null ? '-' : cpuRatio.toFixed(2)}`);
        ratios.push({ guarantee, variant: label, ratio: tCheck.ok && check.ok ? ratio : null, cpuRatio: tCheck.ok && check.ok ? cpuRatio : null });
      }
    }
    if (tributaryReady && opts.scale) {
      const sOutput = await createRandomTopic(kafka, 'bench-out-tributary-x2', opts.partitions);
      const sDlq = await createRandomTopic(kafka, 'bench-dlq-tributary-x2', 1);
      topics.push(sOutput, sDlq);
      await registerAvroSchema(DEFAULT_REGISTRY_URL, `${sOutput}-value`, aggregateSchema);
      const sApp = `bench-tributary-x2-${randomUUID()}`;
      console.log(`tributary exactly_once, 2 processes: running (application id ${sApp})`);
      const t2 = await runTributaryBench(kafka, { brokers: DEFAULT_BROKERS, applicationId: sApp, inputTopic: input, outputTopic: sOutput, dlqTopic: sDlq, guarantee: 'exactly_once', commitIntervalMs: opts.commitIntervalMs }, opts.records, { processes: 2 });
      topics.push(...(await internalTopicsOf(kafka, sApp)));
      const sCheck = await checkAggregateOutput(kafka, sOutput, expected, 'read_committed');
      const sWall = t2.doneMs ? opts.records / (t2.doneMs / 1000) : null;
      if (!sCheck.ok) notes.push(`tributary exactly_once x2: output check FAILED (${sCheck.outputRecords} records; logs ${t2.logFile.replace(/\.log$/, '-N.log')}): ${sCheck.examples.join('; ')}`);
      rows.push({
        system: 'tributary ×2 processes', guarantee: 'exactly_once_v2', records: sCheck.outputRecords,
        'records/s (wall)': sWall === null ? null : Math.round(sWall), 'records/s (first→last out)': null, 'records/s (own)': null,
        'start→last out ms': t2.doneMs, 'CPU ms / 1k records': cpuPerThousand(t2.cpuSeconds, opts.records), 'output ok': sCheck.ok, 'extra outputs': sCheck.extraRecords,
      });
      const one = rows.find((r) => r.system === `tributary (${VARIANTS.custom.label})` && r.guarantee === 'exactly_once_v2')?.['records/s (wall)'];
      const scale = typeof one === 'number' && sWall !== null && sCheck.ok ? sWall / one : null;
      console.log(`tributary exactly_once, 2 processes: ${sWall === null ? `did not finish (exit ${t2.exitCode})` : `${Math.round(sWall).toLocaleString('en-US')} records/s wall`}, output ${sCheck.ok ? 'correct' : 'WRONG'}; 2 processes / 1 process: ${scale === null ? '-' : scale.toFixed(2)}`);
      notes.push(`scale, tributary exactly_once, 2 processes / 1 process on ${opts.partitions} partitions (records/s wall): ${scale === null ? '-' : scale.toFixed(2)}`);
    }
    if (!tributaryReady) notes.push('tributary: pending runtime — the `tributary run` command does not exist yet, so no ratio is printed');
  } finally {
    await deleteTopics(kafka, topics).catch((err: Error) => console.error(`cleanup: ${err.message}`));
  }

  console.log('');
  console.log(formatResultsTable(['system', 'guarantee', 'records', 'records/s (wall)', 'records/s (first→last out)', 'records/s (own)', 'start→last out ms', 'CPU ms / 1k records', 'output ok', 'extra outputs'], rows));
  for (const r of ratios) console.log(`ratio tributary (${r.variant}) / kafka-streams, ${r.guarantee}: ${r.ratio === null ? '-' : r.ratio.toFixed(2)}; CPU per record kafka-streams / tributary: ${r.cpuRatio === null ? '-' : r.cpuRatio.toFixed(2)}`);
  for (const n of notes) console.log(n);
  const after = `1-minute load average after the runs: ${Math.round(loadavg()[0]! * 100) / 100} on ${cpus().length} cores`;
  console.log(after);
  notes.push(after, ...ratios.map((r) => `ratio tributary (${r.variant}) / kafka-streams, ${r.guarantee}: ${r.ratio === null ? '-' : r.ratio.toFixed(2)}; CPU per record kafka-streams / tributary: ${r.cpuRatio === null ? '-' : r.cpuRatio.toFixed(2)}`));
  console.log('records/s (wall): records / time from starting the process to the last output appearing in the output topic (polled every 100 ms), start-up included, the same outside measure for both; the ratio uses it. first→last out: from the first output to the last (outputs that appear in bursts, as transactions commit, inflate it). own: as the peer measures itself, first to last record processed. CPU: user + system seconds of the processes (/proc, every thread) from start until the output was complete, start-up included; it moves less with the machine\'s other load than wall time does.');
  writeResultsSection('kafka-streams-vs-tributary', { machine, rows, notes });
  if (notes.some((n) => n.includes('FAILED'))) process.exitCode = 1;
}

/** Changelog and repartition topics an application created (prefixed by its id), to delete afterwards. */
async function internalTopicsOf(kafka: ReturnType<typeof benchKafka>, applicationId: string): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).filter((t) => t.startsWith(`${applicationId}-`));
  } finally {
    await admin.disconnect();
  }
}

main().catch((err: Error) => {
  console.error(`bench: ${err.message}`);
  process.exitCode = 1;
});
