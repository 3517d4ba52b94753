import { strict as assert } from 'node:assert';
import { chunkTopicMessages, mergeSendResults } from '../../../runtime/kafka/produce-chunks';

describe('produce chunks', () => {
  it('splits a large batch into requests under the size bound, keeping order per topic', () => {
    const messages = Array.from({ length: 1000 }, (_, i) => ({ key: `k${i}`, value: Buffer.alloc(1000, i % 256) }));
    const chunks = chunkTopicMessages([{ topic: 'a', messages }], 100_000);
    assert.ok(chunks.length >= 10);
    for (const chunk of chunks) {
      const bytes = chunk.flatMap((t) => t.messages).reduce((n, m) => n + (m.value as Buffer).length, 0);
      assert.ok(bytes <= 100_000);
    }
    assert.deepEqual(chunks.flatMap((c) => c.flatMap((t) => t.messages.map((m) => m.key))), messages.map((m) => m.key));
  });

  it('merges per-chunk results so base offset + records sent is the end of the partition', () => {
    const chunks = [
      [{ topic: 'cl', messages: [{ key: 'a', value: null, partition: 2 }, { key: 'b', value: null, partition: 2 }] }],
      [{ topic: 'cl', messages: [{ key: 'c', value: null, partition: 2 }] }],
    ];
    const results = [
      [{ topic: 'cl', partition: 2, baseOffset: '10' }],
      [{ topic: 'cl', partition: 2, baseOffset: '12' }],
    ];
    const merged = mergeSendResults(chunks, results);
    assert.equal(merged.length, 1);
    assert.equal(BigInt(merged[0].baseOffset!) + 3n, 13n);
  });
});
