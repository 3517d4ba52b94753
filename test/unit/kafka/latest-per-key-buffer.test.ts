import * as assert from 'node:assert/strict';
import { LatestPerKeyBuffer, type HeldMessage } from '../../../runtime/kafka/latest-per-key-buffer';

interface Held extends HeldMessage {
  readonly value: string;
}

const held = (key: string | Buffer | null | undefined, value: string, partition?: number): Held =>
  ({ message: { key, ...(partition === undefined ? {} : { partition }) }, value });

describe('LatestPerKeyBuffer (records of latestPerKey sinks held until the commit)', () => {
  it('keeps each key\'s newest record per topic, in the order keys were last written', () => {
    const buffer = new LatestPerKeyBuffer<Held>();
    assert.ok(buffer.add('t', held('a', '1')));
    assert.ok(buffer.add('t', held(Buffer.from('b'), '2')));
    assert.ok(buffer.add('u', held('a', 'other topic')));
    assert.ok(buffer.add('t', held(Buffer.from('a'), '3')), 'a Buffer key equals the same string key');
    assert.equal(buffer.size, 3);
    assert.deepEqual(buffer.drain().map((t) => [t.topic, t.records.map((r) => r.value)]), [['t', ['2', '3']], ['u', ['other topic']]]);
    assert.ok(buffer.isEmpty);
    assert.equal(buffer.size, 0);
  });

  it('does not hold a record without a key (nothing would replace it)', () => {
    const buffer = new LatestPerKeyBuffer<Held>();
    assert.equal(buffer.add('t', held(null, 'x')), false);
    assert.equal(buffer.add('t', held(undefined, 'y')), false);
    assert.ok(buffer.isEmpty);
  });

  it('keeps explicit partitions apart', () => {
    const buffer = new LatestPerKeyBuffer<Held>();
    buffer.add('t', held('k', '0', 0));
    buffer.add('t', held('k', '1', 1));
    assert.equal(buffer.drain()[0].records.length, 2);
  });
});
