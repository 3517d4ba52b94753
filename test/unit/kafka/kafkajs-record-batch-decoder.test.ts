import { strict as assert } from 'node:assert';
import { CompressionTypes } from 'kafkajs';
import { CorruptRecordBatchError, decodeRecordBatch } from '../../../runtime/kafka/client/kafkajs/kafkajs-record-batch-decoder';
import { kafkajsOriginal } from '../../helpers/kafkajs-original';
import { kafkajsCrc32c } from '../../../runtime/kafka/client/kafkajs/kafkajs-crc32c';

/* eslint-disable @typescript-eslint/no-require-imports */
const Decoder = require('kafkajs/src/protocol/decoder') as new (buffer: Buffer) => { buffer: Buffer; offset: number };
const Long = require('kafkajs/src/utils/long') as { fromValue(v: string | number): unknown };
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: (args: Record<string, unknown>) => Promise<{ buffer: Buffer }> };
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (args: RecordSpec) => unknown;
/* eslint-enable @typescript-eslint/no-require-imports */

type BatchDecoder = (decoder: { buffer: Buffer; offset: number }) => unknown;
const kafkajs = kafkajsOriginal<BatchDecoder>('kafkajs/src/protocol/recordBatch/v0/decoder');

interface RecordSpec {
  readonly offsetDelta: number;
  readonly timestampDelta: number;
  readonly key?: Buffer | string | null;
  readonly value?: Buffer | string | null;
  readonly headers?: Record<string, string | Buffer | Array<string | Buffer>>;
}

/** A record batch as a producer writes it (kafkajs' encoder), with its attributes' extra bits set. */
async function batch(records: RecordSpec[], options: { firstOffset?: string; firstTimestamp?: number | string; maxTimestamp?: number | string; compression?: number; transactional?: boolean; producerId?: string; extraAttributes?: number } = {}): Promise<Buffer> {
  const encoded = await RecordBatch({
    compression: options.compression ?? CompressionTypes.None,
    firstOffset: Long.fromValue(options.firstOffset ?? '0'),
    firstTimestamp: options.firstTimestamp ?? 1_767_225_600_000,
    maxTimestamp: options.maxTimestamp ?? 1_767_225_700_000,
    lastOffsetDelta: Math.max(0, records.length - 1),
    transactional: options.transactional ?? false,
    producerId: Long.fromValue(options.producerId ?? '-1'),
    records: records.map((r) => Record(r)),
  });
  const buffer = Buffer.from(encoded.buffer);
  // Attributes sit after firstOffset (8), length (4), leader epoch (4), magic (1), CRC (4); neither decoder checks the CRC.
  if (options.extraAttributes) {
    buffer.writeInt16BE(buffer.readInt16BE(21) | options.extraAttributes, 21);
    withCrc(buffer);
  }
  return buffer;
}

/** Sets the batch's CRC-32C (over attributes to the end) to match its bytes, as a producer would. */
function withCrc(buffer: Buffer): Buffer {
  buffer.writeUInt32BE(kafkajsCrc32c(buffer.subarray(21)), 17);
  return buffer;
}

/** Decodes `buffer` from the start with both decoders: results and end positions must agree. */
async function bothDecode(buffer: Buffer): Promise<unknown> {
  const theirs = new Decoder(buffer);
  const ours = new Decoder(buffer);
  const expected = await kafkajs(theirs);
  const actual = await decodeRecordBatch(ours);
  assert.deepEqual(actual, expected);
  assert.equal(ours.offset, theirs.offset, 'moves past the batch as kafkajs does');
  return actual;
}

const bytes = (n: number, fill = 7) => Buffer.alloc(n, fill);

describe('kafkajs record batch decoder (patch 11)', () => {
  it('is what kafkajs\' fetch response decoder loads', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    assert.equal(require('kafkajs/src/protocol/recordBatch/v0/decoder'), decodeRecordBatch);
  });

  it('reads what kafkajs reads: keys, values and headers of every kind and size, offset and timestamp deltas of every width', async () => {
    const records: RecordSpec[] = [
      { offsetDelta: 0, timestampDelta: 0, key: 'user-1', value: 'text value ü' },
      { offsetDelta: 1, timestampDelta: 1, key: null, value: null },
      { offsetDelta: 2, timestampDelta: -1, key: bytes(0), value: bytes(63) },
      { offsetDelta: 63, timestampDelta: 64, key: bytes(64), value: bytes(127) },
      { offsetDelta: 64, timestampDelta: 8_191, key: bytes(128), value: bytes(8_191) },
      { offsetDelta: 9_999, timestampDelta: -86_400_000, key: bytes(8_192), value: bytes(20_000) },
      { offsetDelta: 70_000, timestampDelta: 1_700_000_000_000, value: bytes(5) },
      { offsetDelta: 2_147_483_647, timestampDelta: -1_700_000_000_000, value: bytes(5) },
      { offsetDelta: 3, timestampDelta: 5, value: bytes(5), headers: { traceparent: '00-abc-def-01', binary: bytes(200), empty: bytes(0) } },
      { offsetDelta: 4, timestampDelta: 5, value: bytes(5), headers: { many: ['a', bytes(2), 'ccc'], one: 'x' } },
      { offsetDelta: 5, timestampDelta: 5, value: bytes(5), headers: { 'ключ': 'значение' } },
    ];
    await bothDecode(await batch(records));
    await bothDecode(await batch(records, { firstOffset: '123456789012', firstTimestamp: 0 }));
    await bothDecode(await batch(records, { firstTimestamp: -1, maxTimestamp: -1 }));
    await bothDecode(await batch([]));
  });

  it('reads offsets and timestamps past 2^53 exactly (BigInt), as kafkajs\' Long does', async () => {
    const records: RecordSpec[] = [{ offsetDelta: 0, timestampDelta: 0, value: 'a' }, { offsetDelta: 7, timestampDelta: 2 ** 40, value: 'b' }];
    const decoded = await bothDecode(await batch(records, { firstOffset: '9007199254740990', firstTimestamp: '9007199254740000' })) as { records: Array<{ offset: string; timestamp: string }> };
    assert.deepEqual(decoded.records.map((r) => r.offset), ['9007199254740990', '9007199254740997']);
    assert.equal(decoded.records[1].timestamp, (9_007_199_254_740_000n + 2n ** 40n).toString());
    await bothDecode(await batch(records, { firstOffset: '9223372036854775000' }));
  });

  it('reads transactional, control and log-append-time batches, and the producer fields', async () => {
    const records: RecordSpec[] = [{ offsetDelta: 0, timestampDelta: 3, key: bytes(4, 0), value: bytes(6, 0) }];
    const transactional = await bothDecode(await batch(records, { transactional: true, producerId: '4711' })) as { inTransaction: boolean; producerId: string };
    assert.equal(transactional.inTransaction, true);
    assert.equal(transactional.producerId, '4711');
    const control = await bothDecode(await batch(records, { transactional: true, producerId: '4711', extraAttributes: 0x20 })) as { records: Array<{ isControlRecord: boolean }> };
    assert.equal(control.records[0].isControlRecord, true);
    const logAppend = await bothDecode(await batch(records, { maxTimestamp: 1_767_300_000_000, extraAttributes: 0x08 })) as { records: Array<{ timestamp: string }> };
    assert.equal(logAppend.records[0].timestamp, '1767300000000');
  });

  it('reads compressed batches (gzip, snappy, lz4, zstd) as kafkajs does', async () => {
    const records: RecordSpec[] = Array.from({ length: 50 }, (_, i) => ({ offsetDelta: i, timestampDelta: i * 10, key: `k${i}`, value: `value ${i} `.repeat(20), headers: { n: String(i) } }));
    for (const compression of [CompressionTypes.GZIP, CompressionTypes.Snappy, CompressionTypes.LZ4, CompressionTypes.ZSTD]) {
      const decoded = await bothDecode(await batch(records, { compression })) as { records: unknown[] };
      assert.equal(decoded.records.length, 50, `codec ${compression}`);
    }
  });

  it('reads batch after batch, and stops at a partial batch with kafkajs\' error (the tail of a fetch)', async () => {
    const first = await batch([{ offsetDelta: 0, timestampDelta: 0, value: 'a' }]);
    const second = await batch([{ offsetDelta: 0, timestampDelta: 0, value: 'b' }], { firstOffset: '1' });
    const both = Buffer.concat([first, second]);
    const ours = new Decoder(both);
    const theirs = new Decoder(both);
    for (let i = 0; i < 2; i++) assert.deepEqual(await decodeRecordBatch(ours), await kafkajs(theirs));
    assert.equal(ours.offset, both.length);

    const cut = Buffer.concat([first, second.subarray(0, second.length - 3)]);
    const partial = new Decoder(cut);
    await decodeRecordBatch(partial);
    assert.throws(() => decodeRecordBatch(partial), (e: Error) => e.name === 'KafkaJSPartialMessageError');
  });

  it('refuses a batch whose CRC does not match or whose records contradict its length, naming the batch', async () => {
    const good = await batch([{ offsetDelta: 0, timestampDelta: 0, key: 'k', value: 'value' }], { firstOffset: '42' });
    // The record's length varint (first byte after the 61-byte header): claim one byte more than it has.
    const longer = Buffer.from(good);
    longer.writeInt8(longer.readInt8(61) + 2, 61);
    withCrc(longer);
    assert.throws(() => decodeRecordBatch(new Decoder(longer)), (e: Error) => e instanceof CorruptRecordBatchError && /offset 42/.test(e.message));
    const flipped = Buffer.from(good);
    flipped[flipped.length - 3] ^= 0x01; // a bit of the value: only the CRC can tell
    assert.throws(() => decodeRecordBatch(new Decoder(flipped)), (e: Error) => e instanceof CorruptRecordBatchError && /offset 42: its CRC-32C does not match/.test(e.message));
    const unknownCodec = await batch([{ offsetDelta: 0, timestampDelta: 0, value: 'v' }], { extraAttributes: 0x06 });
    assert.throws(() => decodeRecordBatch(new Decoder(unknownCodec)), /unknown compression codec 6/);
  });
});
