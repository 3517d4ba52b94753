import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigResourceTypes, type Admin, type Kafka } from 'kafkajs';
import type { KafkaProducer } from '../../../runtime/kafka/client/kafka-client';
import { KafkajsAdmin } from '../../../runtime/kafka/client/kafkajs/kafkajs-admin';
import { KafkajsClient } from '../../../runtime/kafka/client/kafkajs/kafkajs-client';
import { KafkaChangelogReader } from '../../../runtime/state/changelog-restorer';
import type { ChangelogRecord } from '../../../runtime/state/changelog-record';
import { changelogRequirement } from '../../../runtime/kafka/internal-topics';
import { ensureTopics } from '../../../runtime/kafka/topic-admin';
import { changelogTopicName } from '../../../topology/internal-topic-names';
import { nextChangelogOffsets } from '../../../runtime/state/next-changelog-offsets';
import type { StoreDefinition } from '../../../runtime/state/store-definition';
import { structuredKeySerde } from '../../../runtime/state/serde-structured-key';
import { TaskStores } from '../../../runtime/state/task-stores';
import { collect, tempStateDir } from '../../unit/state/temp-state-dir';
import { localKafka } from './kafka-for-tests';

const stores: StoreDefinition[] = [
  { name: 'counts', changelog: true },
  // Laid out as a window step lays out its key-value store: one entry per key and window start.
  { name: 'recent', changelog: true },
];

function messagesByTopic(records: readonly ChangelogRecord[]) {
  const out = new Map<string, Array<{ key: Buffer; value: Buffer | null; partition: number }>>();
  for (const r of records) {
    const list = out.get(r.topic) ?? [];
    out.set(r.topic, list);
    list.push({ key: r.key, value: r.value, partition: r.partition });
  }
  return [...out].map(([topic, messages]) => ({ topic, messages }));
}

describe('changelog restore from Kafka', function () {
  this.timeout(120_000);
  let kafka: Kafka;
  let admin: Admin;
  let client: KafkajsClient;
  let producer: KafkaProducer;
  let dir: string;
  let cleanup: () => Promise<void>;
  let app: string;
  const log: string[] = [];

  before(async () => {
    kafka = await localKafka();
    client = new KafkajsClient(kafka);
  });
  beforeEach(async () => {
    // Fresh clients per test: kafkajs keeps refreshing metadata of every topic it touched, and earlier tests' topics are deleted.
    admin = kafka.admin();
    await admin.connect();
    ({ dir, cleanup } = await tempStateDir());
    app = `it-${randomUUID().slice(0, 8)}`;
    log.length = 0;
    await ensureTopics(new KafkajsAdmin(admin), stores.map((s) => changelogRequirement({ ...s, changelogTopic: changelogTopicName(app, s.name) }, 2)), 'create');
    producer = await client.producer();
  });
  afterEach(async () => {
    await producer.close();
    await admin.deleteTopics({ topics: stores.map((s) => changelogTopicName(app, s.name)) }).catch(() => undefined);
    await admin.disconnect();
    await cleanup();
  });

  const open = (guarantee: 'at_least_once' | 'exactly_once' = 'at_least_once') =>
    TaskStores.open({ stateDir: dir, appId: app, taskId: '0_1', stores, processingGuarantee: guarantee });
  const reader = () => new KafkaChangelogReader(client, { tty: false, log: (l) => log.push(l) });

  async function commit(t: TaskStores): Promise<number> {
    const records = await t.flush();
    const sent = await producer.send(messagesByTopic(records), 'none');
    await t.commitApplied(nextChangelogOffsets(records, sent));
    return records.length;
  }

  it('creates changelog topics compacted with the input\'s partition count', async () => {
    const topic = changelogTopicName(app, 'counts');
    const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy'] }] });
    assert.equal(described.resources[0].configEntries[0].configValue, 'compact');
    const recent = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: changelogTopicName(app, 'recent'), configNames: ['cleanup.policy'] }] });
    assert.equal(recent.resources[0].configEntries[0].configValue, 'compact', 'no store expires by time: operators delete what they are done with');
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    assert.equal(meta.topics[0].partitions.length, 2);
    const counts = changelogRequirement({ name: 'counts', changelogTopic: topic }, 3);
    await assert.rejects(ensureTopics(new KafkajsAdmin(admin), [counts], 'create'), /has 2 partitions but the application needs 3/);
  });

  it('restores a deleted task directory to equal contents from the changelog topic', async () => {
    const t = await open();
    const kv = t.keyValueStore<[string, number], { n: number }>('counts');
    const w = t.keyValueStore<string, number>('recent');
    let produced = 0;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 500; i++) kv.put([`user-${i % 300}`, i % 7], { n: round * 1000 + i });
      for (let i = 0; i < 20; i++) kv.delete([`user-${i}`, i % 7]);
      for (let i = 0; i < 50; i++) w.put(`s|u${i % 10}|${String(60_000 * (round * 50 + i)).padStart(16, '0')}`, i);
      produced += await commit(t);
    }
    const expected = await collect(kv.range());
    const expectedWindows = await collect(w.range());
    assert.ok(expected.length > 400, `only ${expected.length} keys`);
    await t.wipe();
    // Partition 0 belongs to task 0_0: none of it may land in task 0_1.
    await producer.send([{ topic: changelogTopicName(app, 'counts'), messages: [
      { partition: 0, key: structuredKeySerde.serialize(['other-task', 1]), value: Buffer.from('{"n":-1}') },
    ] }], 'none');

    const fresh = await open();
    assert.equal(fresh.localState, 'new');
    const summaries = await fresh.restore(reader());
    assert.equal(summaries.reduce((n, s) => n + s.records, 0), produced);
    assert.deepEqual(await collect(fresh.keyValueStore('counts').range()), expected);
    assert.equal(await fresh.keyValueStore('counts').get(['other-task', 1]), undefined);
    assert.deepEqual(await collect(fresh.keyValueStore('recent').range()), expectedWindows);
    assert.equal(expectedWindows.length, 150);
    const checkpoint = JSON.parse(await readFile(join(dir, app, '0_1', '.checkpoint'), 'utf8'));
    assert.deepEqual(checkpoint.offsets, summaries.map((s) => ({ topic: s.topic, partition: 1, offset: s.endOffset })));
    assert.ok(log.some((l) => /restore .*-counts-changelog\[1\]: done \d+\/\d+ offsets \(100%\)/.test(l)), log.join('\n'));
    await fresh.close();
  });

  it('restores from the checkpoint: only records written after it are read', async () => {
    const t = await open();
    const kv = t.keyValueStore<string, number>('counts');
    for (let i = 0; i < 100; i++) kv.put(`k${i}`, i);
    await commit(t);
    await t.close();

    // Another instance owned the task meanwhile and committed more changes.
    const other = await TaskStores.open({ stateDir: join(dir, 'other'), appId: app, taskId: '0_1', stores });
    await other.restore(reader());
    for (let i = 0; i < 30; i++) other.keyValueStore<string, number>('counts').put(`k${i}`, -i);
    await commit(other);
    await other.close();

    const back = await open();
    assert.equal(back.localState, 'checkpointed');
    const [counts] = await back.restore(reader());
    assert.deepEqual([counts.fromOffset, counts.records, counts.endOffset], ['100', 30, '130']);
    assert.equal(await back.keyValueStore('counts').get('k5'), -5);
    assert.equal(await back.keyValueStore('counts').get('k50'), 50);
    await back.close();
  });

  it('reads up to the last stable offset when an open transaction holds the changelog', async () => {
    const zombie = kafka.producer({ transactionalId: `${app}-zombie`, idempotent: true, maxInFlightRequests: 1 });
    await zombie.connect();
    const tx = await zombie.transaction();
    try {
      const t = await open();
      t.keyValueStore<string, number>('counts').put('committed', 1);
      await commit(t);
      await tx.send({ topic: changelogTopicName(app, 'counts'), messages: [{ partition: 1, key: structuredKeySerde.serialize('open'), value: Buffer.from('2') }] });
      await t.wipe();
      const fresh = await open();
      const [counts] = await fresh.restore(reader());
      assert.deepEqual([counts.records, counts.endOffset], [1, '1']);
      assert.equal(await fresh.keyValueStore('counts').get('committed'), 1);
      assert.equal(await fresh.keyValueStore('counts').get('open'), undefined);
      await fresh.close();
    } finally {
      await tx.abort();
      await zombie.disconnect();
    }
  });

  it('restores committed transactions only and passes the commit markers (exactly_once)', async () => {
    const txProducer = await client.transactionalProducer(`${app}-0_1`, 60_000);
    try {
      const t = await open('exactly_once');
      const kv = t.keyValueStore<string, string>('counts');
      const send = async (commitIt: boolean) => {
        const records = await t.flush();
        const tx = await txProducer.begin();
        const sent = await tx.send(messagesByTopic(records), 'none');
        if (commitIt) {
          await tx.commit();
          await t.commitApplied(nextChangelogOffsets(records, sent));
        } else {
          await tx.abort();
        }
      };
      kv.put('a', 'committed-1');
      await send(true);
      kv.put('b', 'aborted');
      kv.put('a', 'aborted');
      await send(false);
      // The aborted flush never reached RocksDB: the checkpointed state is kept and nothing committed follows it.
      await t.close();
      const reopened = await open('exactly_once');
      assert.equal(reopened.localState, 'checkpointed');
      const summaries = await reopened.restore(reader());
      assert.equal(summaries[0].records, 0);
      assert.equal(await reopened.keyValueStore('counts').get('a'), 'committed-1');
      assert.equal(await reopened.keyValueStore('counts').get('b'), undefined);
      // The end offset lies past both control markers.
      assert.equal(summaries[0].endOffset, '5');
      await reopened.close();
    } finally {
      await txProducer.close();
    }
  });
});
