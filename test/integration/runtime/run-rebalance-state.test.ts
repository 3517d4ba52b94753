/**
 * Rebalances with state, on the real broker: two `tributary run` processes
 * of one app, each with its own state directory (as on two hosts). The
 * second joins (and restores the tasks it is given from the changelog), then
 * stops; the first takes those tasks back, restores what the second added,
 * and continues with correct counts. Under exactly_once the read-committed
 * output holds every update exactly once.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Kafka } from 'kafkajs';
import { createTopics, randomTopic, requireKafka, testKafka } from '../../helpers/services';
import { expectedWordCounts, produceLines, readUntilWordCounts } from '../../helpers/word-totals';
import { cleanedUp, startTributary } from '../../helpers/tributary-process';

const topologyFile = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'runtime', 'word-totals.yaml');
const WORDS = Array.from({ length: 60 }, (_, i) => `w${i}`);

function lines(from: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    return [0, 1, 2].map((k) => WORDS[(n * 11 + k * 17) % WORDS.length]).join(' ');
  });
}

/** Reads the output until every word reached its expected count; returns every update read. */
async function readUntilCounts(kafka: Kafka, topic: string, expected: Map<string, number>, phase: string, logs: () => string): Promise<Array<{ word: string; count: number }>> {
  const { updates, short } = await readUntilWordCounts(kafka, topic, expected, { timeoutMs: 120_000 });
  if (short.length > 0) {
    // Tell a stuck transaction (records written, never committed) from records never written.
    const uncommitted = await readUntilWordCounts(kafka, topic, expected, { timeoutMs: 5_000, readUncommitted: true });
    assert.deepEqual(short, [], `${phase}: every word reached its expected count (${short.length} short; read_committed saw ${updates.length} updates, read_uncommitted ${uncommitted.updates.length})\n${logs()}`);
  }
  return updates;
}

/** Sizes of the restores a process logged (records restored per task and store). */
function restoredRecords(output: string): number[] {
  return [...output.matchAll(/store restored task=\S+ store=counts records=(\d+)/g)].map((m) => Number(m[1]));
}

describe('tributary run: a rebalance moves tasks with their state (two processes)', function () {
  this.timeout(360_000);
  const kafka = testKafka();
  const { processes, dirs } = cleanedUp();

  before(requireKafka);

  for (const guarantee of ['at_least_once', 'exactly_once'] as const) {
    it(`a joining instance restores its tasks, a leaving one hands them back with correct counts (${guarantee})`, async () => {
      const input = randomTopic('lines');
      const output = randomTopic('totals');
      const app = `rb-${randomUUID().slice(0, 8)}`;
      const [stateA, stateB] = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-rebalance-')));
      dirs.push(stateA, stateB);
      const env = (stateDir: string) => ({ APP: app, INPUT: input, OUTPUT: output, STATE_DIR: stateDir, GUARANTEE: guarantee });
      await createTopics(kafka, [{ topic: input, partitions: 4 }]);

      // 1. Instance A alone counts the first lines.
      const first = lines(0, 120);
      await produceLines(kafka, input, first, 0);
      const a = startTributary(['run', topologyFile, '--no-metrics'], env(stateA));
      processes.push(a);
      await a.waitFor(/application started/);
      const logs = (): string => processes.map((p, i) => `--- process ${i}\n${p.output().slice(-5000)}`).join('\n');
      await readUntilCounts(kafka, output, expectedWordCounts(first), 'A alone', logs);

      // 2. Instance B joins with an empty state directory: the tasks it is given are restored from the changelog.
      const b = startTributary(['run', topologyFile, '--no-metrics'], env(stateB));
      processes.push(b);
      // B restores the counts of the tasks it takes over (only restores of at least one record are logged).
      await b.waitFor(/store restored task=\S+ store=counts records=[1-9]/, 120_000);
      const second = lines(120, 120);
      await produceLines(kafka, input, second, 120);
      await readUntilCounts(kafka, output, expectedWordCounts([...first, ...second]), 'A and B', logs);
      const bCreatedTasks = [...b.output().matchAll(/task created task=(\S+)/g)].length;
      assert.ok(bCreatedTasks > 0, 'B owned tasks while both ran');

      // 3. B leaves cleanly; A takes its tasks back and restores what B added since A last owned them.
      const aOutputBefore = a.output().length;
      b.child.kill('SIGTERM');
      assert.equal(await b.exited, 0, b.output().slice(-2000));
      const third = lines(240, 120);
      await produceLines(kafka, input, third, 240);
      const all = [...first, ...second, ...third];
      const updates = await readUntilCounts(kafka, output, expectedWordCounts(all), 'after B left', logs);
      const aAfter = a.output().slice(aOutputBefore);
      assert.ok(restoredRecords(aAfter).some((n) => n > 0), `A restored B's changes after B left:\n${aAfter.slice(-3000)}`);

      // Counts run 1..n per word with no gap (nothing lost, no state from a replay kept twice) ...
      const perWord = new Map<string, number[]>();
      for (const u of updates) perWord.set(u.word, [...(perWord.get(u.word) ?? []), u.count]);
      for (const [word, counts] of perWord) {
        const n = expectedWordCounts(all).get(word)!;
        // Under exactly_once each count is there once, in order (a reader keeping each word's last value ends at n).
        const seen = guarantee === 'exactly_once' ? counts : [...new Set(counts)].sort((x, y) => x - y);
        const want = Array.from({ length: n }, (_, i) => i + 1);
        if (JSON.stringify(seen) !== JSON.stringify(want)) {
          const full = path.join(os.tmpdir(), `${app}.log`);
          fs.writeFileSync(full, processes.map((p, i) => `--- process ${i}\n${p.output()}`).join('\n'));
          assert.fail(`counts of ${word} run 1..${n}: saw ${seen.join(',')}, in read order ${counts.join(',')} (both processes' whole output: ${full})\n${logs()}`);
        }
      }
      // ... and under exactly_once each update is in the read-committed output once.
      if (guarantee === 'exactly_once') assert.equal(updates.length, all.length * 3, 'one update per word occurrence');
      a.child.kill('SIGTERM');
      assert.equal(await a.exited, 0, a.output().slice(-2000));
    });
  }
});
