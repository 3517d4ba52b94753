/**
 * `tributary reset` on the real broker: an application run, stopped and reset
 * reprocesses its input from the start with fresh state (counts equal to the
 * first run's, not doubled); a reset refuses while an instance runs.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { consumeMessages, createTopics, randomTopic, requireKafka, testKafka } from '../../helpers/services';
import { expectedWordCounts, produceLines, readUntilWordCounts } from '../../helpers/word-totals';
import { cleanedUp, startTributary } from '../../helpers/tributary-process';

const topologyFile = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'runtime', 'word-totals.yaml');
const WORDS = Array.from({ length: 12 }, (_, i) => `w${i}`);
const LINES = Array.from({ length: 60 }, (_, n) => [0, 1, 2].map((k) => WORDS[(n * 5 + k * 7) % WORDS.length]).join(' '));

function countOf(value: unknown): number {
  return typeof value === 'number' ? value : Number((value as { count?: number }).count);
}

describe('tributary reset (on the real broker)', function () {
  this.timeout(240_000);
  const kafka = testKafka();
  const { processes } = cleanedUp();

  before(requireKafka);

  async function tributary(args: string[], env: Record<string, string>): Promise<{ code: number | string; output: string }> {
    const p = startTributary(args, env);
    processes.push(p);
    const code = await p.exited;
    return { code, output: p.output() };
  }

  it('refuses while the app runs, then reprocesses from the start with fresh state', async () => {
    const app = `reset-${randomUUID().slice(0, 8)}`;
    const input = randomTopic('lines');
    const output = randomTopic('totals');
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-state-'));
    const env = { APP: app, INPUT: input, OUTPUT: output, STATE_DIR: stateDir };
    const changelog = `${app}-counts-changelog`;
    const repartition = `${app}-count-repartition`;
    await createTopics(kafka, [{ topic: input, partitions: 2 }]);
    await produceLines(kafka, input, LINES);
    const expected = expectedWordCounts(LINES);

    const first = startTributary(['run', topologyFile, '--no-metrics'], env);
    processes.push(first);
    await first.waitFor(/application started/);
    const firstRun = await readUntilWordCounts(kafka, output, expected);
    assert.deepEqual(firstRun.short, [], 'the first run counted every word');

    const refused = await tributary(['reset', topologyFile, '--yes'], env);
    assert.equal(refused.code, 3, refused.output); // refused: failed work (core/exit-code.ts)
    assert.match(refused.output, new RegExp(`application ${app} is running: its consumer group is \\w+ with 1 active member\\(s\\): \\S+@\\S+`));

    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0, first.output().slice(-2000));
    assert.ok(fs.existsSync(path.join(stateDir, app)), 'the first run left local state');

    const admin = kafka.admin();
    await admin.connect();
    try {
      const dry = await tributary(['reset', topologyFile, '--dry-run'], env);
      assert.equal(dry.code, 0, dry.output);
      assert.match(dry.output, /dry run: nothing changed/);
      assert.match(dry.output, new RegExp(`${input}\\[0\\] -> 0`));
      assert.match(dry.output, new RegExp(`${changelog} \\(changelog of store counts\\)`));
      assert.match(dry.output, new RegExp(`${repartition} \\(repartition topic of step count\\)`));
      assert.doesNotMatch(dry.output, new RegExp(`${output} \\(`), 'sinks stay unless asked');
      assert.ok((await admin.listTopics()).includes(changelog), 'a dry run deletes nothing');
      assert.ok(fs.existsSync(path.join(stateDir, app)), 'a dry run keeps the state');

      const done = await tributary(['reset', topologyFile, '--yes'], env);
      assert.equal(done.code, 0, done.output);
      const topics = await admin.listTopics();
      assert.ok(!topics.includes(changelog) && !topics.includes(repartition), 'internal topics deleted');
      assert.ok(topics.includes(output) && topics.includes(input), 'sources and sinks kept');
      assert.equal(fs.existsSync(path.join(stateDir, app)), false, 'local state deleted');
      const offsets = await admin.fetchOffsets({ groupId: app, topics: [input] });
      assert.deepEqual(offsets[0].partitions.map((p) => p.offset).sort(), ['0', '0'], 'source offsets back at the start');
    } finally {
      await admin.disconnect();
    }

    // The kept sink holds the first run's updates, then the second's; a word's updates share a
    // partition, so per word they read in order: 1..n from the first run, 1..n again (not n+1..2n).
    const occurrences = LINES.length * 3;
    const second = startTributary(['run', topologyFile, '--no-metrics'], env);
    processes.push(second);
    const received = await consumeMessages(kafka, output, occurrences * 2, { timeoutMs: 120_000 });
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0, second.output().slice(-2000));
    assert.equal(received.length, occurrences * 2, 'the second run wrote one update per word occurrence, as the first did');
    const perWord = new Map<string, number[]>();
    for (const { message } of received) {
      const word = message.key!.toString();
      perWord.set(word, [...(perWord.get(word) ?? []), countOf(JSON.parse(message.value!.toString()))]);
    }
    for (const [word, n] of expected) {
      const run = Array.from({ length: n }, (_, i) => i + 1);
      assert.deepEqual(perWord.get(word), [...run, ...run], `${word} counted 1..${n} again from fresh state, not continued`);
    }
  });
});
