import { strict as assert } from 'node:assert';
import { Partitioners } from 'kafkajs';
import { murmur2, partitionForKey } from '../../../runtime/kafka/key-partition';

describe('partitionForKey (the default partitioner\'s rule)', () => {
  // The partitioner the runtime's producers use (kafkajs-producers.ts).
  const producerPartition = (key: Buffer, partitions: number): number => Partitioners.DefaultPartitioner()({
    topic: 't',
    partitionMetadata: Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] })),
    message: { key, value: null },
  });

  it('picks the partition the producers put a record with these key bytes on', () => {
    const keys = [Buffer.alloc(0), Buffer.from('a'), Buffer.from('ab'), Buffer.from('abc'), Buffer.from('abcd'), Buffer.from('"w17"'), Buffer.from([0xff, 0x80, 0x00, 0x7f, 0x01])];
    for (let i = 0; i < 500; i++) keys.push(Buffer.from(`user-${i * 7919}-${'x'.repeat(i % 9)}`));
    for (const key of keys) {
      for (const partitions of [1, 3, 4, 6, 12, 100]) {
        assert.equal(partitionForKey(key, partitions), producerPartition(key, partitions), `${key.toString('hex')} over ${partitions}`);
      }
    }
  });

  it("equals Java's Utils.murmur2 on its published vectors", () => {
    // From Kafka's UtilsTest.testMurmur2.
    const cases: Array<[string, number]> = [['21', -973932308], ['foobar', -790332482], ['a-little-bit-long-string', -985981536], ['a-little-bit-longer-string', -1486304829], ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971]];
    for (const [text, expected] of cases) assert.equal(murmur2(Buffer.from(text)), expected, text);
  });

  it('refuses a partition count that is not a positive integer', () => {
    assert.throws(() => partitionForKey(Buffer.from('k'), 0), /positive integer, got 0/);
  });
});
