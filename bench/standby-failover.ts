/**
 * What a standby copy saves at a failover, on a store of `--keys` keys: two `tributary run`
 * processes of a word count (test/fixtures/runtime/word-totals.yaml: every word a key of a
 * changelogged store) on `--partitions` partitions, one SIGKILLed once the input is counted;
 * the other takes its tasks over after the session timeout (6 s). Run twice in one go: without
 * standby replicas (the baseline: the survivor restores the victim's changelog partitions in
 * full) and with `processing.standbyReplicas: 1` (the survivor's copies were kept current).
 * Prints, per run, the records the survivor restored (its `tributary.restore.records`) and the
 * time from the kill until every moved task was open again, and the ratios.
 *
 *   node dist/bench/standby-failover.js [--keys 1000000] [--partitions 4]
 *
 * Needs the local services (npm run services:start).
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { formatMachineBanner, machineInfo, REPO_ROOT } from './harness';
import { startTributary, type TributaryProcess } from '../test/helpers/tributary-process';
import { freePort } from '../test/helpers/free-port';
import { IDEMPOTENT } from '../test/helpers/services';
import { scrapePrometheus } from '../runtime/telemetry/prometheus-scrape';
import { sumSamples } from '../runtime/telemetry/prometheus-text';
import { integerOption } from '../runtime/cli/option-parsers';
import { parseScriptOptions, scriptCommand } from '../test/helpers/script-options';

const topologyFile = path.join(REPO_ROOT, 'test', 'fixtures', 'runtime', 'word-totals.yaml');
const options = scriptCommand('dist/bench/standby-failover.js', 'records restored and time to reopen after a failover, without and with a standby copy (needs the local services)')
  .option('--keys <n>', 'distinct keys in the store', integerOption('--keys', 2), 1_000_000)
  .option('--partitions <n>', 'input partitions', integerOption('--partitions', 1), 4);
const opts = parseScriptOptions<{ keys: number; partitions: number }>(options);
const kafka = new Kafka({ clientId: 'bench-standby', brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING });

interface FailoverMeasure {
  readonly changelogRecords: number;
  readonly restored: number;
  readonly reopenMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!await ok()) {
    if (Date.now() > deadline) throw new Error(`timed out (${timeoutMs / 1000} s) waiting for ${what}`);
    await sleep(250);
  }
}

/** Every key once: lines of two distinct words, produced in chunks. */
async function produceKeys(topic: string, keys: number): Promise<void> {
  const producer = kafka.producer(IDEMPOTENT);
  await producer.connect();
  for (let first = 0; first < keys; first += 20_000) {
    const messages = [];
    for (let k = first; k < Math.min(keys, first + 20_000); k += 2) messages.push({ key: `l${k}`, value: JSON.stringify({ text: k + 1 < keys ? `k${k} k${k + 1}` : `k${k}` }) });
    await producer.send({ topic, messages });
  }
  await producer.disconnect();
}

/** The counting tasks (sub-topology 1) a process was last assigned. */
function countingTasks(p: TributaryProcess, repartition: string): string[] {
  const last = [...p.output().matchAll(/partitions assigned partitions=\d+ assignment=(\S*)/g)].at(-1)?.[1] ?? '';
  const mine = last.split(',').find((part) => part.startsWith(`${repartition}:`));
  return mine ? mine.slice(repartition.length + 1).split('+').map((n) => `1_${n}`) : [];
}

async function failover(standbyReplicas: number): Promise<FailoverMeasure> {
  const app = `bench-sb-${randomUUID().slice(0, 8)}`;
  const [input, output] = [`${app}-in`, `${app}-out`];
  const changelog = `${app}-counts-changelog`;
  const repartition = `${app}-count-repartition`;
  const admin = kafka.admin();
  await admin.connect();
  const dirs = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'bench-standby-')));
  const processes: TributaryProcess[] = [];
  try {
    await admin.createTopics({ topics: [{ topic: input, numPartitions: opts.partitions }], waitForLeaders: true });
    const port = await freePort();
    const env = (stateDir: string) => ({ APP: app, INPUT: input, OUTPUT: output, STATE_DIR: stateDir, SESSION_TIMEOUT: '6s', STANDBY_REPLICAS: String(standbyReplicas) });
    const a = startTributary(['run', topologyFile, '--no-metrics'], env(dirs[0]));
    processes.push(a);
    await a.waitFor(/partitions assigned partitions=[1-9]/, 120_000);
    const b = startTributary(['run', topologyFile, '--metrics-port', String(port)], env(dirs[1]));
    processes.push(b);
    await until('both processes to count', () => countingTasks(a, repartition).length > 0 && countingTasks(b, repartition).length > 0, 120_000);
    await produceKeys(input, opts.keys);
    // Counted: the group committed every input offset and every repartition offset.
    await until('the input to be counted', async () => {
      for (const topic of [input, repartition]) {
        const ends = await admin.fetchTopicOffsets(topic);
        const [committed] = await admin.fetchOffsets({ groupId: app, topics: [topic] });
        if (!ends.every((e) => committed?.partitions.find((p) => p.partition === e.partition)?.offset === e.high)) return false;
      }
      return true;
    }, 900_000);
    const moved = countingTasks(a, repartition);
    const ends = await admin.fetchTopicOffsets(changelog);
    const changelogRecords = moved.reduce((n, task) => n + Number(ends.find((e) => e.partition === Number(task.split('_')[1]))!.high), 0);
    if (standbyReplicas > 0) {
      await until('B\'s standby copies to catch up', () => moved.every((task) => {
        try {
          const end = ends.find((e) => e.partition === Number(task.split('_')[1]))!.high;
          const checkpoint = JSON.parse(fs.readFileSync(path.join(dirs[1], app, task, '.checkpoint'), 'utf8')) as { offsets: Array<{ topic: string; offset: string }> };
          return checkpoint.offsets.some((o) => o.topic === changelog && o.offset === end);
        } catch {
          return false;
        }
      }), 600_000);
    }
    const restoredBefore = sumSamples(await scrapePrometheus(`http://127.0.0.1:${port}/metrics`), 'tributary_restore_records_total');
    const killedAt = Date.now();
    const seen = b.output().length;
    a.child.kill('SIGKILL');
    await until('every moved task to open on B', () => moved.every((task) => new RegExp(`task stores ready task=${task} `).test(b.output().slice(seen))), 600_000);
    const reopenMs = Date.now() - killedAt;
    const restored = sumSamples(await scrapePrometheus(`http://127.0.0.1:${port}/metrics`), 'tributary_restore_records_total') - restoredBefore;
    return { changelogRecords, restored, reopenMs };
  } finally {
    for (const p of processes) p.child.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    await admin.deleteTopics({ topics: [input, output, changelog, repartition] }).catch(() => undefined);
    await admin.disconnect();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(formatMachineBanner(machineInfo()));
  console.log(`standby failover: ${opts.keys.toLocaleString('en-US')} keys on ${opts.partitions} partitions, 2 processes, one SIGKILLed (session timeout 6 s)`);
  const rows: Array<[string, FailoverMeasure]> = [];
  for (const replicas of [0, 1]) {
    const m = await failover(replicas);
    rows.push([`standbyReplicas ${replicas}`, m]);
    console.log(`standbyReplicas ${replicas}: the victim's changelog partitions held ${m.changelogRecords.toLocaleString('en-US')} records; the survivor restored ${m.restored.toLocaleString('en-US')}; kill → every moved task open ${(m.reopenMs / 1000).toFixed(1)} s`);
  }
  const [base, warm] = [rows[0][1], rows[1][1]];
  console.log(`with a standby / without: records restored ${(warm.restored / Math.max(1, base.restored)).toFixed(3)}x, kill → open ${(warm.reopenMs / base.reopenMs).toFixed(2)}x`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
