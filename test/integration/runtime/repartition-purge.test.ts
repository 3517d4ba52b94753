/**
 * Committed records of repartition topics are deleted (Kafka Streams' purge), on the real
 * broker: word-totals.yaml re-keys lines by word through a repartition topic, with
 * `repartitionPurgeInterval: 1s`. Lines arrive in waves while the app runs, so purges happen
 * between them: the counts must still be exact (nothing unread was deleted) and, at the end,
 * each repartition partition's log start must equal the group's committed offset, with no
 * record after it (under exactly_once, transaction markers may follow the last record).
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repartitionTopicName } from '../../../topology/internal-topic-names';
import { consumeMessages, createTopics, randomTopic, requireKafka, testKafka } from '../../helpers/services';
import { killLeftovers, startTributary, type TributaryProcess } from '../../helpers/tributary-process';
import { expectedWordCounts, produceLines, readUntilWordCounts } from '../../helpers/word-totals';

const topologyFile = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'runtime', 'word-totals.yaml');
const INPUT_PARTITIONS = 3;
const WORDS = Array.from({ length: 30 }, (_, i) => `w${i}`);

function lines(from: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => [0, 1, 2].map((k) => WORDS[((from + i) * 7 + k * 11) % WORDS.length]).join(' '));
}

describe('repartition purge (committed repartition records are deleted, unread ones never)', function () {
  this.timeout(180_000);
  const kafka = testKafka();
  const processes: TributaryProcess[] = [];

  before(requireKafka);
  afterEach(() => killLeftovers(processes));

  for (const guarantee of ['at_least_once', 'exactly_once'] as const) {
    it(`purges what was committed and keeps counts exact (${guarantee})`, async () => {
      const app = `purge-${randomUUID().slice(0, 8)}`;
      const input = randomTopic('lines');
      const output = randomTopic('totals');
      await createTopics(kafka, [{ topic: input, partitions: INPUT_PARTITIONS }]);
      const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-purge-'));
      const proc = startTributary(['run', topologyFile, '--no-metrics'], { APP: app, INPUT: input, OUTPUT: output, STATE_DIR: stateDir, GUARANTEE: guarantee, PURGE_INTERVAL: '1s' });
      processes.push(proc);
      await proc.waitFor(/application started/, 60_000);

      const all: string[] = [];
      for (let wave = 0; wave < 4; wave++) {
        const batch = lines(wave * 100, 100);
        await produceLines(kafka, input, batch, wave * 100);
        all.push(...batch);
        // Each wave is counted (so committed, then purged) before the next is written.
        const { short } = await readUntilWordCounts(kafka, output, expectedWordCounts(all), { timeoutMs: 60_000 });
        assert.deepEqual(short, [], `wave ${wave}: counts short\n${proc.output().slice(-4000)}`);
        await new Promise((r) => setTimeout(r, 1_500));
      }

      const repartition = repartitionTopicName(app, 'count');
      const admin = kafka.admin();
      await admin.connect();
      try {
        // Committed at most commitInterval (1 s) after the last record, purged within the next 1 s.
        // The wait is for the final state, not any purged state: an earlier commit, purged, while
        // the last wave's commit is still on its way, looks the same on log start and commit alone.
        // Past the last record there is nothing (at_least_once) or commit markers: one per
        // transactional producer that wrote the partition, a producer per upstream task (3).
        const trailingMarkers = guarantee === 'exactly_once' ? INPUT_PARTITIONS : 0;
        const committed = async () => new Map((await admin.fetchOffsets({ groupId: app, topics: [repartition] }))[0].partitions.map((p) => [p.partition, Number(p.offset)]));
        const purgedToCommit = async () => {
          const [offsets, at] = [await admin.fetchTopicOffsets(repartition), await committed()];
          return offsets.every((o) => {
            const commit = at.get(o.partition) ?? -1;
            return Number(o.low) === commit && commit > 0 && Number(o.high) - commit <= trailingMarkers;
          });
        };
        const deadline = Date.now() + 60_000;
        while (!(await purgedToCommit()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
        const offsets = await admin.fetchTopicOffsets(repartition);
        const at = await committed();
        for (const o of offsets) {
          const detail = `partition ${o.partition}: log start ${o.low}, end ${o.high}, committed ${at.get(o.partition)}\n${proc.output().slice(-3000)}`;
          assert.equal(Number(o.low), at.get(o.partition), `purged up to the committed offset: ${detail}`);
          assert.ok(Number(o.high) - Number(o.low) <= trailingMarkers, `every record committed: ${detail}`);
        }
        // What is left past the log start are at most transaction markers: not one record.
        const left = await consumeMessages(kafka, repartition, 1, { timeoutMs: 3_000 });
        assert.equal(left.length, 0, 'no record is left in the repartition topic');
      } finally {
        await admin.disconnect();
      }
      assert.doesNotMatch(proc.output(), /out of range/i, 'no fetch below a purged log start');
    });
  }
});
