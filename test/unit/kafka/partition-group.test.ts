import { strict as assert } from 'node:assert';
import type { ConsumedMessage } from '../../../runtime/kafka/client/kafka-client';
import type { StreamRecord } from '../../../core/stream-record';
import type { DeadLetter } from '../../../runtime/kafka/dead-letter';
import { PartitionGroup } from '../../../runtime/kafka/partition-group';

const message = (offset: number): ConsumedMessage => ({ offset: String(offset), key: null, value: Buffer.from('0123456789'), timestamp: '0' });
const record = (offset: number, time: number): StreamRecord => ({ key: null, value: offset, timestamp: time, source: { topic: 't', partition: 0, offset: String(offset) } } as StreamRecord);
const poison = (offset: number): DeadLetter => ({ stage: 'deserialize', error: new Error('bad'), topic: 't', partition: 0, offset: String(offset), key: null, value: null });

describe('PartitionGroup (a task\'s buffered input)', () => {
  it('takes records with the poison and skipped messages before the next record, and counts bytes and messages', () => {
    const group = new PartitionGroup();
    // 10 and 11 decode, 12 is poison, 13 was skipped (onError: skip), 14 decodes.
    group.add('t', [10, 11, 12, 13, 14].map(message), { records: [record(10, 100), record(11, 110), record(14, 140)], poison: [poison(12)] });
    assert.equal(group.bytes('t'), 50);
    const first = group.take('t', 2);
    assert.deepEqual(first.messages.map((m) => m.offset), ['10', '11', '12', '13']);
    assert.deepEqual(first.poison.map((p) => p.offset), ['12']);
    assert.equal(first.nextTime, 140);
    assert.deepEqual([group.bytes('t'), group.count('t')], [10, 1]);
    assert.deepEqual(group.firstOffsets(), [{ topic: 't', offset: 14n }]);
    const last = group.take('t', 1);
    assert.deepEqual(last.records.map((r) => r.value), [14]);
    assert.equal(last.nextTime, undefined);
    assert.ok(group.isEmpty);
    assert.deepEqual([group.bytes('t'), group.count('t')], [0, 0]);
  });

  it('takes in a batch delivered again only offsets past what it holds or handed out', () => {
    const group = new PartitionGroup();
    group.add('t', [1, 2, 3].map(message), { records: [record(1, 1), record(2, 2), record(3, 3)], poison: [] });
    group.take('t', 1);
    assert.deepEqual(group.unseen('t', [0, 1, 2, 3, 4, 5].map(message)).map((m) => m.offset), ['4', '5']);
    assert.deepEqual(group.unseen('t', [2, 3].map(message)), []);
    assert.deepEqual(group.unseen('other', [2].map(message)).map((m) => m.offset), ['2'], 'another lane is its own');
  });

  it('orders lanes by their next record, a lane of poison only first', () => {
    const group = new PartitionGroup();
    group.add('a', [1].map(message), { records: [record(1, 50)], poison: [] });
    group.add('b', [1].map(message), { records: [record(1, 20)], poison: [] });
    group.add('c', [1].map(message), { records: [], poison: [poison(1)] });
    assert.deepEqual(group.buffered().map((l) => l.topic), ['c', 'b', 'a']);
  });

  it('keeps order and contents over many small takes of a large buffer (its arrays compacted on the way)', () => {
    const group = new PartitionGroup();
    const offsets = Array.from({ length: 5_000 }, (_, i) => i);
    group.add('t', offsets.slice(0, 3_000).map(message), { records: offsets.slice(0, 3_000).map((o) => record(o, o)), poison: [] });
    const seen: number[] = [];
    while (!group.isEmpty) {
      const lane = group.buffered()[0];
      assert.equal(lane.times[lane.from], seen.length, 'the head is the next record');
      seen.push(...group.take('t', 3).records.map((r) => r.value as number));
      if (seen.length === 1_500) group.add('t', offsets.slice(3_000).map(message), { records: offsets.slice(3_000).map((o) => record(o, o)), poison: [] });
    }
    assert.deepEqual(seen, offsets);
    assert.equal(group.bytes('t'), 0);
  });
});
