import { strict as assert } from 'node:assert';
import type { ChangelogRecord } from '../../../runtime/state/changelog-record';
import { nextChangelogOffsets } from '../../../runtime/state/next-changelog-offsets';

const record = (topic: string, partition: number): ChangelogRecord => ({ topic, partition, key: Buffer.from('k'), value: null });

describe('nextChangelogOffsets', () => {
  it('is base offset + records sent when a partition went out in one batch', () => {
    const records = [record('a', 1), record('a', 1), record('a', 1), record('b', 1)];
    assert.deepEqual(
      nextChangelogOffsets(records, [{ topic: 'a', partition: 1, baseOffset: '40' }, { topic: 'b', partition: 1, baseOffset: '7' }, { topic: 'out', partition: 0, baseOffset: '9' }]),
      [{ topic: 'a', partition: 1, offset: '43' }, { topic: 'b', partition: 1, offset: '8' }],
    );
  });

  it('never passes the real end when a partition went out in several chunks', () => {
    const records = Array.from({ length: 10 }, () => record('a', 0));
    // Chunks of 6 and 4 records: the real end is 110; the last chunk starts at 106.
    const [offset] = nextChangelogOffsets(records, [{ topic: 'a', partition: 0, baseOffset: '100' }, { topic: 'a', partition: 0, baseOffset: '106' }]);
    assert.equal(offset.offset, '107');
    assert.ok(BigInt(offset.offset) <= 110n);
  });

  it('leaves out partitions without a base offset', () => {
    assert.deepEqual(nextChangelogOffsets([record('a', 0)], [{ topic: 'a', partition: 0 }]), []);
  });
});
