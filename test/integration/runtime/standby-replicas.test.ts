/**
 * Standby replicas on the real broker: two `tributary run` processes of a word count with
 * `processing.standbyReplicas: 1`. Each keeps a warm copy of the other's counting tasks. When
 * one is SIGKILLed, the survivor takes its tasks over from its copies: the restore metric shows
 * (almost) nothing restored where a cold takeover would read the whole changelog, the tasks
 * open "checkpointed", and the counts stay exact.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../../helpers/free-port';
import { createTopics, randomTopic, requireKafka, testKafka } from '../../helpers/services';
import { expectedWordCounts, produceLines, readUntilWordCounts } from '../../helpers/word-totals';
import { cleanedUp, startTributary, type TributaryProcess } from '../../helpers/tributary-process';
import { scrapePrometheus } from '../../../runtime/telemetry/prometheus-scrape';
import { sumSamples } from '../../../runtime/telemetry/prometheus-text';

const topologyFile = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'runtime', 'word-totals.yaml');
const PARTITIONS = 4;
const WORDS = Array.from({ length: 6000 }, (_, i) => `w${i}`);

function lines(from: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => [0, 1].map((k) => WORDS[((from + i) * 7 + k * 997) % WORDS.length]).join(' '));
}


async function waitUntil(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!await ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The counting tasks (sub-topology 1: the repartition topic's partitions) a process was last assigned. */
function countingTasks(p: TributaryProcess, repartition: string): string[] {
  const last = [...p.output().matchAll(/partitions assigned partitions=\d+ assignment=(\S*)/g)].at(-1)?.[1] ?? '';
  const mine = last.split(',').find((part) => part.startsWith(`${repartition}:`));
  return mine ? mine.slice(repartition.length + 1).split('+').map((n) => `1_${n}`) : [];
}

describe('processing.standbyReplicas: warm copies of tasks on other processes', function () {
  this.timeout(400_000);
  const kafka = testKafka();
  const { processes, dirs } = cleanedUp(after);

  before(requireKafka);

  it('a SIGKILLed process\'s counting tasks resume on the other from its standby copies, restoring only the tail', async () => {
    const input = randomTopic('sb-lines');
    const output = randomTopic('sb-totals');
    const app = `sb-${randomUUID().slice(0, 8)}`;
    const repartition = `${app}-count-repartition`;
    const changelog = `${app}-counts-changelog`;
    await createTopics(kafka, [{ topic: input, partitions: PARTITIONS }]);
    const [stateA, stateB] = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-standby-')));
    dirs.push(stateA, stateB);
    const port = await freePort();
    const start = (stateDir: string, metrics: string[]): TributaryProcess => {
      const p = startTributary(['run', topologyFile, ...metrics], { APP: app, INPUT: input, OUTPUT: output, STATE_DIR: stateDir, SESSION_TIMEOUT: '6s', STANDBY_REPLICAS: '1' });
      processes.push(p);
      return p;
    };
    const a = start(stateA, ['--no-metrics']);
    await a.waitFor(/partitions assigned partitions=[1-9]/, 120_000);
    const b = start(stateB, ['--metrics-port', String(port)]);
    await b.waitFor(/standby tasks assigned/, 120_000);
    await waitUntil('both processes to count', () => countingTasks(a, repartition).length > 0 && countingTasks(b, repartition).length > 0);

    const first = lines(0, 4000);
    await produceLines(kafka, input, first, 0);
    assert.deepEqual((await readUntilWordCounts(kafka, output, expectedWordCounts(first), { timeoutMs: 180_000 })).short, []);

    // B's copies of A's counting tasks reach the end of their changelog partitions.
    const moved = countingTasks(a, repartition);
    const admin = kafka.admin();
    await admin.connect();
    let changelogRecords = 0;
    try {
      await waitUntil('B\'s standby copies to catch up', async () => {
        const ends = await admin.fetchTopicOffsets(changelog);
        changelogRecords = 0;
        return moved.every((task) => {
          const partition = Number(task.split('_')[1]);
          const end = ends.find((o) => o.partition === partition)!.high;
          changelogRecords += Number(end);
          try {
            const checkpoint = JSON.parse(fs.readFileSync(path.join(stateB, app, task, '.checkpoint'), 'utf8')) as { offsets: Array<{ topic: string; offset: string }> };
            return checkpoint.offsets.some((o) => o.topic === changelog && o.offset === end);
          } catch {
            return false;
          }
        });
      }, 120_000);
      // Queries read committed state only, and the output is sent before its commit: wait until
      // every counting task committed the whole repartition topic, so that each word is in RocksDB.
      await waitUntil('every counting task to commit its input', async () => {
        const ends = await admin.fetchTopicOffsets(repartition);
        const [committed] = await admin.fetchOffsets({ groupId: app, topics: [repartition] });
        return ends.every((end) => committed.partitions.find((c) => c.partition === end.partition)?.offset === end.high);
      }, 120_000);
    } finally {
      await admin.disconnect();
    }
    // A may hold one counting task of four (~900-1,100 changelog records here); a full restore
    // reads them all, the tail at most 5 %: 500 keeps the two apart whatever the assignment.
    assert.ok(changelogRecords >= 500, `A's counting tasks (${moved.join(', ')}) wrote ${changelogRecords} changelog records: too few to tell a tail from a full restore`);
    // Queries: a word of A's tasks is answered by B's copy only when the client allows a standby.
    const expected = expectedWordCounts(first);
    const sources = new Map<string, number>();
    for (const [word, count] of [...expected].slice(0, 40)) {
      const res = await fetch(`http://127.0.0.1:${port}/v1/stores/counts/keys/${encodeURIComponent(JSON.stringify(word))}?allowStandby=true`);
      const body = await res.json() as { source: string; value: unknown; position: Array<{ topic: string; lag: number | null }> };
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.equal(typeof body.value === 'number' ? body.value : (body.value as { count: number }).count, count, `${word} from the ${body.source} task`);
      sources.set(body.source, (sources.get(body.source) ?? 0) + 1);
      if (body.source === 'standby') {
        assert.deepEqual(body.position.map((p) => [p.topic, p.lag]), [[changelog, 0]], 'the caught-up copy is not behind its changelog');
        const strict = await fetch(`http://127.0.0.1:${port}/v1/stores/counts/keys/${encodeURIComponent(JSON.stringify(word))}`);
        assert.equal(strict.status, 421, 'without allowStandby the owner is named (it advertises no endpoint here)');
        await strict.body?.cancel();
      }
    }
    assert.ok((sources.get('standby') ?? 0) > 0 && (sources.get('active') ?? 0) > 0, `answers by source: ${JSON.stringify([...sources])}`);
    const restoredBefore = sumSamples(await scrapePrometheus(`http://127.0.0.1:${port}/metrics`), 'tributary_restore_records_total');

    a.child.kill('SIGKILL');
    await a.exited;
    const second = lines(4000, 300);
    await produceLines(kafka, input, second, 4000);
    const counted = await readUntilWordCounts(kafka, output, expectedWordCounts([...first, ...second]), { timeoutMs: 180_000 });
    assert.deepEqual(counted.short, [], 'B counts on for every word after the takeover');
    for (const task of moved) assert.match(b.output(), new RegExp(`task stores ready task=${task} localState=checkpointed`), `${task} opened on B's copy`);
    const restored = sumSamples(await scrapePrometheus(`http://127.0.0.1:${port}/metrics`), 'tributary_restore_records_total') - restoredBefore;
    assert.ok(restored <= changelogRecords * 0.05, `B restored ${restored} records of the ${changelogRecords} in A's changelog partitions: the copies were not used`);

    b.child.kill('SIGTERM');
    assert.equal(await b.exited, 0, b.output().slice(-2000));
  });
});
