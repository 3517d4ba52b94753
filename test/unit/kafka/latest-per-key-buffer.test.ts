import * as assert from 'node:assert/strict';
import { LatestPerKeyBuffer } from '../../../runtime/kafka/latest-per-key-buffer';

describe('LatestPerKeyBuffer (records of latestPerKey sinks held until the commit)', () => {
  it('keeps each key\'s newest message per topic, in the order keys were last written', () => {
    const buffer = new LatestPerKeyBuffer();
    assert.ok(buffer.add('t', { key: 'a', value: '1' }));
    assert.ok(buffer.add('t', { key: Buffer.from('b'), value: '2' }));
    assert.ok(buffer.add('u', { key: 'a', value: 'other topic' }));
    assert.ok(buffer.add('t', { key: Buffer.from('a'), value: '3' }), 'a Buffer key equals the same string key');
    assert.deepEqual(buffer.drain().map((t) => [t.topic, t.messages.map((m) => m.value)]), [['t', ['2', '3']], ['u', ['other topic']]]);
    assert.ok(buffer.isEmpty);
    assert.equal(buffer.bytes, 0);
  });

  it('does not hold a message without a key (nothing would replace it)', () => {
    const buffer = new LatestPerKeyBuffer();
    assert.equal(buffer.add('t', { key: null, value: 'x' }), false);
    assert.equal(buffer.add('t', { value: 'y' }), false);
    assert.ok(buffer.isEmpty);
  });

  it('counts the bytes it holds, replaced values subtracted', () => {
    const buffer = new LatestPerKeyBuffer();
    buffer.add('t', { key: 'k', value: Buffer.alloc(100) });
    buffer.add('t', { key: 'k', value: Buffer.alloc(10) });
    buffer.add('t', { key: 'j', value: null });
    assert.equal(buffer.bytes, 1 + 10 + 1);
  });

  it('keeps explicit partitions apart', () => {
    const buffer = new LatestPerKeyBuffer();
    buffer.add('t', { key: 'k', value: '0', partition: 0 });
    buffer.add('t', { key: 'k', value: '1', partition: 1 });
    assert.equal(buffer.drain()[0].messages.length, 2);
  });
});
