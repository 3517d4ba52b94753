/**
 * Static membership (KIP-345) on the real broker: two `tributary run` processes with
 * `--group-instance-id`; one is SIGKILLed and restarted on its state directory. The
 * restarted process gets the partitions it had, and the other process sees no rebalance
 * (it logs no new assignment), where a dynamic member's restart rebalances the group.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTopics, randomTopic, requireKafka, testKafka } from '../../helpers/services';
import { expectedWordCounts, produceLines, readUntilWordCounts } from '../../helpers/word-totals';
import { cleanedUp, startTributary, type TributaryProcess } from '../../helpers/tributary-process';

const topologyFile = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'runtime', 'word-totals.yaml');
const WORDS = Array.from({ length: 30 }, (_, i) => `s${i}`);

function lines(from: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => [0, 1].map((k) => WORDS[((from + i) * 5 + k * 11) % WORDS.length]).join(' '));
}

/** The assignments a process logged, in order (`topic:0+2,topic2:1`). */
function assignments(p: TributaryProcess): string[] {
  return [...p.output().matchAll(/partitions assigned partitions=(\d+) assignment=(\S*)/g)].map((m) => m[2]);
}

async function waitUntil(what: string, ok: () => boolean, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('tributary run --group-instance-id: static membership', function () {
  this.timeout(300_000);
  const kafka = testKafka();
  const { processes, dirs } = cleanedUp(after);

  before(requireKafka);

  for (const configured of [true, false]) {
    it(`a process SIGKILLed and restarted with its ${configured ? 'configured' : 'derived (default)'} instance id gets its partitions back without a rebalance`, async () => {
      const input = randomTopic('sm-lines');
      const output = randomTopic('sm-totals');
      const app = `sm-${randomUUID().slice(0, 8)}`;
      await createTopics(kafka, [{ topic: input, partitions: 4 }]);
      const [stateA, stateB] = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-static-')));
      dirs.push(stateA, stateB);
      const env = (stateDir: string) => ({ APP: app, INPUT: input, OUTPUT: output, STATE_DIR: stateDir });
      const start = (id: string, stateDir: string): TributaryProcess => {
        const p = startTributary(['run', topologyFile, '--no-metrics', ...(configured ? ['--group-instance-id', `${app}-${id}`] : [])], env(stateDir));
        processes.push(p);
        return p;
      };

      const a = start('a', stateA);
      await a.waitFor(/partitions assigned partitions=[1-9]/, 120_000);
      const b = start('b', stateB);
      await b.waitFor(/partitions assigned partitions=[1-9]/, 120_000);
      // A got its share in the same rebalance B joined in: its second assignment.
      await waitUntil('A to log its assignment beside B', () => assignments(a).length >= 2);
      assert.match(a.output(), configured ? new RegExp(`groupInstanceId=${app}-a`) : new RegExp(`groupInstanceId=${app}-[^ ]+-[0-9a-f]{12}`));

      const first = lines(0, 60);
      await produceLines(kafka, input, first, 0);
      const { short } = await readUntilWordCounts(kafka, output, expectedWordCounts(first), { timeoutMs: 120_000 });
      assert.deepEqual(short, []);
      const aHad = assignments(a).at(-1)!;
      const bAssignments = assignments(b).length;

      // SIGKILL: no LeaveGroup, no commit. The restart with the same instance id replaces the old member.
      a.child.kill('SIGKILL');
      await a.exited;
      const a2 = start('a', stateA);
      await a2.waitFor(/partitions assigned partitions=[1-9]/, 120_000);
      assert.equal(assignments(a2)[0], aHad, 'the restarted process got the partitions it had');

      const second = lines(60, 60);
      await produceLines(kafka, input, second, 60);
      const after = await readUntilWordCounts(kafka, output, expectedWordCounts([...first, ...second]), { timeoutMs: 120_000 });
      assert.deepEqual(after.short, [], 'both processes count on after the restart');
      assert.equal(assignments(b).length, bAssignments, `B saw no rebalance:\n${b.output().slice(-3000)}`);

      for (const p of [a2, b]) p.child.kill('SIGTERM');
      for (const p of [a2, b]) assert.equal(await p.exited, 0, p.output().slice(-2000));
    });
  }

  it('a process with a derived instance id that stops cleanly leaves the group: its partitions move at once, not after the session timeout', async () => {
    const input = randomTopic('sm-leave');
    const app = `sm-${randomUUID().slice(0, 8)}`;
    await createTopics(kafka, [{ topic: input, partitions: 4 }]);
    const [stateA, stateB] = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-static-')));
    dirs.push(stateA, stateB);
    // A session timeout far longer than the wait below: only a LeaveGroup moves A's partitions in time.
    const env = (stateDir: string) => ({ APP: app, INPUT: input, OUTPUT: randomTopic('sm-out'), STATE_DIR: stateDir, SESSION_TIMEOUT: '90s' });
    const a = startTributary(['run', topologyFile, '--no-metrics'], env(stateA));
    processes.push(a);
    await a.waitFor(/partitions assigned partitions=[1-9]/, 120_000);
    const b = startTributary(['run', topologyFile, '--no-metrics'], env(stateB));
    processes.push(b);
    await b.waitFor(/partitions assigned partitions=[1-9]/, 120_000);
    await waitUntil('A to log its assignment beside B', () => assignments(a).length >= 2);
    const total = (assignment: string): number => assignment.split(',').reduce((n, part) => n + (part.split(':')[1] ?? '').split('+').filter((x) => x !== '').length, 0);
    assert.ok(total(assignments(b).at(-1)!) < 8, 'B holds part of the partitions');
    a.child.kill('SIGTERM');
    assert.equal(await a.exited, 0, a.output().slice(-2000));
    await waitUntil('B to hold all 8 partitions (input and repartition)', () => total(assignments(b).at(-1) ?? '') === 8, 45_000);
    b.child.kill('SIGTERM');
    assert.equal(await b.exited, 0, b.output().slice(-2000));
  });
});
