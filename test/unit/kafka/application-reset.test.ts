import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadTopologyText, type CompiledTopology } from '../../../topology';
import type { GroupDescription, KafkaAdmin, NewTopic, PartitionOffsets, TopicPartitionOffset } from '../../../runtime/kafka/client/kafka-client';
import {
  ApplicationRunningError, describeResetPlan, executeApplicationReset, planApplicationReset,
} from '../../../runtime/kafka/application-reset';

/** An admin over an in-memory cluster that records what it was asked to change. */
class FakeAdmin implements KafkaAdmin {
  readonly deleted: string[] = [];
  readonly committed: TopicPartitionOffset[] = [];
  constructor(public topics: Map<string, PartitionOffsets[]>, public group: GroupDescription) {}
  async listTopics(): Promise<string[]> { return [...this.topics.keys()]; }
  async createTopics(_topics: readonly NewTopic[]): Promise<void> { throw new Error('not expected'); }
  async partitionCounts(topics: readonly string[]): Promise<Map<string, number>> { return new Map(topics.map((t) => [t, this.topics.get(t)!.length])); }
  async topicOffsets(topic: string): Promise<PartitionOffsets[]> { return this.topics.get(topic)!; }
  async groupOffsets(): Promise<TopicPartitionOffset[]> { return []; }
  async describeGroup(): Promise<GroupDescription> { return this.group; }
  async deleteTopics(topics: readonly string[]): Promise<void> {
    for (const t of topics) this.topics.delete(t);
    this.deleted.push(...topics);
  }
  async offsetsForTimestamp(topic: string, timestampMs: number): Promise<Array<{ partition: number; offset: string }>> {
    return this.topics.get(topic)!.map((p) => ({ partition: p.partition, offset: String(timestampMs % 100) }));
  }
  async setGroupOffsets(_groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void> { this.committed.push(...offsets); }
  async deleteRecordsBefore(): Promise<void> { throw new Error('not expected'); }
  async timeRetentionMs(): Promise<Map<string, number>> { throw new Error('not expected'); }
  async close(): Promise<void> {}
}

function compile(stateDir: string): CompiledTopology {
  const text = `
name: wc
kafka: { brokers: [127.0.0.1:9092] }
processing: { stateDir: ${stateDir} }
sources:
  lines: { topic: text-lines, value: json }
stores:
  counts: { kind: key-value, changelog: true }
pipelines:
  words:
    from: lines
    steps:
      - id: by-word
        select-key: { expression: value }
      - id: count
        aggregate-count: { store: counts }
    to: out
sinks:
  out: { topic: word-counts, value: json }
`;
  const { topology, problems } = loadTopologyText(text, 'wc.yaml');
  assert.ok(topology, JSON.stringify(problems));
  return topology;
}

const offsets = (low: string, high: string, n = 2): PartitionOffsets[] => Array.from({ length: n }, (_, partition) => ({ partition, low, high }));
const empty: GroupDescription = { groupId: 'wc', state: 'Empty', members: [] };

describe('application reset (tributary reset)', () => {
  let stateDir: string;
  beforeEach(() => { stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-reset-')); });
  afterEach(() => fs.rmSync(stateDir, { recursive: true, force: true }));

  function cluster(): Map<string, PartitionOffsets[]> {
    return new Map([
      ['text-lines', offsets('5', '40')],
      ['word-counts', offsets('0', '9')],
      ['wc-dlq', offsets('0', '1', 1)],
      ['wc-count-repartition', offsets('0', '70')],
      ['wc-counts-changelog', offsets('0', '12')],
      ['wc-alignment', offsets('0', '3', 1)],
      ['someone-else', offsets('0', '3', 1)],
    ]);
  }

  it('refuses while the group has active members, naming them', async () => {
    const admin = new FakeAdmin(cluster(), { groupId: 'wc', state: 'Stable', members: [{ memberId: 'm-1', clientId: 'tributary', clientHost: '/10.0.0.7' }] });
    await assert.rejects(planApplicationReset(compile(stateDir), admin, { target: { kind: 'earliest' } }), (err: unknown) => {
      assert.ok(err instanceof ApplicationRunningError);
      assert.match(err.message, /application wc is running: its consumer group is Stable with 1 active member\(s\): tributary@\/10\.0\.0\.7 \(m-1\)/);
      return true;
    });
  });

  it('plans the internal topics, not sinks or the DLQ, and source offsets to the earliest', async () => {
    fs.mkdirSync(path.join(stateDir, 'wc', '1_0'), { recursive: true });
    const admin = new FakeAdmin(cluster(), empty);
    const plan = await planApplicationReset(compile(stateDir), admin, { target: { kind: 'earliest' } });
    assert.deepEqual(plan.deleteTopics.map((t) => t.topic).sort(), ['wc-alignment', 'wc-count-repartition', 'wc-counts-changelog']);
    assert.deepEqual(plan.offsets, [{ topic: 'text-lines', partition: 0, offset: '5' }, { topic: 'text-lines', partition: 1, offset: '5' }]);
    assert.equal(plan.stateDir, path.join(stateDir, 'wc'));
    assert.equal(plan.stateDirExists, true);
    assert.deepEqual(admin.deleted, [], 'planning changes nothing');
    assert.deepEqual(admin.committed, []);
    const text = describeResetPlan(plan).join('\n');
    assert.match(text, /text-lines\[1\] -> 5/);
    assert.match(text, /wc-counts-changelog \(changelog of store counts\)/);
    assert.doesNotMatch(text, /word-counts \(|wc-dlq/);
  });

  it('deletes sinks and the DLQ only when asked; --to-latest and --to-datetime pick their offsets', async () => {
    const admin = new FakeAdmin(cluster(), empty);
    const latest = await planApplicationReset(compile(stateDir), admin, { target: { kind: 'latest' }, deleteSinks: true, deleteDeadLetterTopic: true });
    assert.deepEqual(latest.deleteTopics.map((t) => t.topic).sort(), ['wc-alignment', 'wc-count-repartition', 'wc-counts-changelog', 'wc-dlq', 'word-counts']);
    assert.deepEqual(latest.offsets.map((o) => o.offset), ['40', '40']);
    const at = await planApplicationReset(compile(stateDir), admin, { target: { kind: 'datetime', timestampMs: 1_700_000_000_017 } });
    assert.deepEqual(at.offsets.map((o) => o.offset), ['17', '17']);
  });

  it('executes: commits the offsets, deletes the topics and the local state', async () => {
    fs.mkdirSync(path.join(stateDir, 'wc', '1_0', 'rocksdb'), { recursive: true });
    fs.mkdirSync(path.join(stateDir, 'other-app'));
    const admin = new FakeAdmin(cluster(), empty);
    const plan = await planApplicationReset(compile(stateDir), admin, { target: { kind: 'earliest' } });
    await executeApplicationReset(plan, admin);
    assert.deepEqual(admin.committed.map((o) => `${o.topic}[${o.partition}]=${o.offset}`), ['text-lines[0]=5', 'text-lines[1]=5']);
    assert.deepEqual(admin.deleted.sort(), ['wc-alignment', 'wc-count-repartition', 'wc-counts-changelog']);
    assert.ok(admin.topics.has('word-counts') && admin.topics.has('wc-dlq') && admin.topics.has('someone-else'));
    assert.equal(fs.existsSync(path.join(stateDir, 'wc')), false);
    assert.equal(fs.existsSync(path.join(stateDir, 'other-app')), true, 'only this application\'s state');
  });

  it('refuses to execute when an instance joined after the plan was made', async () => {
    const admin = new FakeAdmin(cluster(), empty);
    const plan = await planApplicationReset(compile(stateDir), admin, { target: { kind: 'earliest' } });
    admin.group = { groupId: 'wc', state: 'PreparingRebalance', members: [{ memberId: 'm-2', clientId: 'tributary', clientHost: '/127.0.0.1' }] };
    await assert.rejects(executeApplicationReset(plan, admin), ApplicationRunningError);
    assert.deepEqual(admin.deleted, []);
  });
});
