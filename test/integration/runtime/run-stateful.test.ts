/**
 * `tributary run` with a repartition topic and a changelogged store on the
 * real broker: counts survive a clean restart after the local state
 * directory is deleted (restored from the changelog), and under exactly_once
 * the output holds each update once.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTopics, randomTopic, requireKafka, testKafka } from '../../helpers/services';
import { expectedWordCounts, produceLines, readUntilWordCounts } from '../../helpers/word-totals';
import { cleanedUp, startTributary } from '../../helpers/tributary-process';

const topologyFile = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'runtime', 'word-totals.yaml');
const WORDS = Array.from({ length: 40 }, (_, i) => `w${i}`);

function lines(from: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    return [0, 1, 2, 3].map((k) => WORDS[(n * 7 + k * 13) % WORDS.length]).join(' ');
  });
}

describe('tributary run (repartition + changelogged store on the real broker)', function () {
  this.timeout(240_000);
  const kafka = testKafka();
  const { processes } = cleanedUp();

  before(requireKafka);

  for (const guarantee of ['at_least_once', 'exactly_once'] as const) {
    it(`restores counts from the changelog after the state directory is deleted (${guarantee})`, async () => {
      const input = randomTopic('lines');
      const output = randomTopic('totals');
      const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-state-'));
      const env = { APP: `wc-${randomUUID().slice(0, 8)}`, INPUT: input, OUTPUT: output, STATE_DIR: stateDir, GUARANTEE: guarantee };
      await createTopics(kafka, [{ topic: input, partitions: 2 }]);
      const first = lines(0, 150);
      await produceLines(kafka, input, first);

      const a = startTributary(['run', topologyFile, '--no-metrics'], env);
      processes.push(a);
      await a.waitFor(/application started/);
      const firstUpdates = (await readUntilWordCounts(kafka, output, expectedWordCounts(first))).updates;
      a.child.kill('SIGTERM');
      assert.equal(await a.exited, 0, a.output().slice(-2000));

      fs.rmSync(stateDir, { recursive: true, force: true });
      const second = lines(150, 50);
      await produceLines(kafka, input, second);
      const b = startTributary(['run', topologyFile, '--no-metrics'], env);
      processes.push(b);
      const all = [...first, ...second];
      const updates = (await readUntilWordCounts(kafka, output, expectedWordCounts(all))).updates;
      assert.match(b.output(), /store restored task=\S+ store=counts records=\d+/, 'the restarted app restored its store from the changelog');

      // Each word occurrence produced exactly one update: nothing counted twice after the restore.
      const occurrences = all.length * 4;
      if (guarantee === 'exactly_once') {
        assert.equal(updates.length, occurrences, 'read_committed output holds each update once');
        assert.equal(firstUpdates.length, first.length * 4);
      }
      const perWord = new Map<string, number[]>();
      for (const u of updates) perWord.set(u.word, [...(perWord.get(u.word) ?? []), u.count]);
      for (const [word, counts] of perWord) {
        assert.deepEqual([...new Set(counts)].sort((x, y) => x - y), Array.from({ length: expectedWordCounts(all).get(word)! }, (_, i) => i + 1), `counts of ${word} run 1..n with no gap`);
      }
    });
  }
});
