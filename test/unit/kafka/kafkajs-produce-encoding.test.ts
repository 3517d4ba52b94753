import { strict as assert } from 'node:assert';
import { encodeRecord, type RecordFields } from '../../../runtime/kafka/client/kafkajs/kafkajs-record-encoder';
import { produceRequestV3 } from '../../../runtime/kafka/client/kafkajs/kafkajs-produce-request';
import { kafkajsMurmur2 } from '../../../runtime/kafka/client/murmur2';
import { kafkajsOriginal } from '../../helpers/kafkajs-original';
import { kafkajsCrc32c } from '../../../runtime/kafka/client/kafkajs/kafkajs-crc32c';

const bytes = (n: number, fill = 7) => Buffer.alloc(n, fill);

describe('kafkajs record encoder (patch 8)', () => {
  const kafkajs = kafkajsOriginal<(fields: RecordFields) => { buffer: Buffer }>('kafkajs/src/protocol/recordBatch/record/v0');

  it('is what kafkajs\' produce request loads', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    assert.equal(require('kafkajs/src/protocol/recordBatch/record/v0'), encodeRecord);
  });

  it('writes the bytes kafkajs writes, for keys, values and headers of every kind and size', () => {
    const cases: RecordFields[] = [
      {},
      { key: null, value: null },
      { key: bytes(3), value: bytes(10) },
      { key: 'user-1', value: 'text value ü' },
      { key: bytes(0), value: bytes(63) },
      { key: bytes(64), value: bytes(127) },
      { key: bytes(128), value: bytes(8191) },
      { key: bytes(8192), value: bytes(20_000) },
      { offsetDelta: 0, timestampDelta: 0, key: bytes(1), value: bytes(1) },
      { offsetDelta: 63, timestampDelta: 64, key: bytes(1), value: bytes(1) },
      { offsetDelta: 9_999, timestampDelta: -1, value: bytes(5) },
      { offsetDelta: 70_000, timestampDelta: -86_400_000, value: bytes(5) },
      { offsetDelta: 2_147_483_647, timestampDelta: 1_700_000_000_000, value: bytes(5) },
      { timestampDelta: -1_700_000_000_000, value: bytes(5) },
      { value: bytes(5), headers: { traceparent: '00-abc-def-01', binary: bytes(200), empty: bytes(0) } },
      { value: bytes(5), headers: { many: ['a', bytes(2), 'ccc'], one: 'x' } },
      { value: bytes(5), headers: { 'ключ': 'значение' } },
    ];
    for (const c of cases) {
      assert.deepEqual(encodeRecord(c).buffer, kafkajs(c).buffer, JSON.stringify(c, (_k, v) => (v?.type === 'Buffer' ? `<${v.data.length} bytes>` : v)));
    }
  });

  it('gives kafkajs\' batch encoder what it reads of an Encoder', () => {
    const record = encodeRecord({ key: 'k', value: 'v' });
    assert.ok(Buffer.isBuffer(record.buf));
    assert.equal(record.buffer, record.buf);
  });
});

describe('kafkajs Produce v3 request (patch 8)', () => {
  const kafkajs = kafkajsOriginal<(args: Record<string, unknown>) => { encode(): Promise<{ buffer: Buffer }> }>('kafkajs/src/protocol/requests/produce/v3/request');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Long = require('kafkajs/src/utils/long') as { fromValue(v: unknown): unknown };

  it('is what kafkajs\' producer loads', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    assert.equal(require('kafkajs/src/protocol/requests/produce/v3/request'), produceRequestV3);
  });

  it('encodes the request kafkajs encodes: plain, idempotent and transactional, uncompressed and gzip', async () => {
    const messages = (n: number, from: number) => Array.from({ length: n }, (_, i) => ({
      key: i % 3 === 0 ? null : `k${i}`, value: bytes(10 + i, i), headers: i % 2 ? { h: `v${i}` } : {},
      timestamp: String(from + ((i * 7) % 5) * 1000), partition: i % 2,
    }));
    const topicData = [
      { topic: 'out', partitions: [{ partition: 0, firstSequence: 5, messages: messages(20, 1_700_000_000_000) }, { partition: 3, firstSequence: 0, messages: messages(3, 1_700_000_100_000) }] },
      { topic: 'changelog', partitions: [{ partition: 1, messages: messages(200, 1_700_000_000_000) }] },
    ];
    const settings = [
      { acks: -1, timeout: 30_000, topicData },
      { acks: -1, timeout: 30_000, topicData, producerId: Long.fromValue(42), producerEpoch: 3 },
      { acks: -1, timeout: 30_000, topicData, transactionalId: 'app-0_1', producerId: Long.fromValue(42), producerEpoch: 3 },
      { acks: 1, timeout: 5_000, topicData, compression: 1 },
    ];
    for (const args of settings) {
      const ours = produceRequestV3(args as Parameters<typeof produceRequestV3>[0]);
      const theirs = kafkajs(args);
      assert.deepEqual(((await ours.encode()) as unknown as { buffer: Buffer }).buffer, (await theirs.encode()).buffer, JSON.stringify({ ...args, topicData: undefined }));
    }
  });

  it('stamps messages without a timestamp with the time of the request, as kafkajs does', async () => {
    const topicData = [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'a', value: 'b' }, { key: 'c', value: 'd', timestamp: null }, { key: 'e', value: 'f', timestamp: '1700000000000' }] }] }];
    const args = { acks: -1, timeout: 1000, topicData };
    const realNow = Date.now;
    Date.now = () => 1_700_000_005_000;
    try {
      const ours = await produceRequestV3(args as unknown as Parameters<typeof produceRequestV3>[0]).encode();
      const theirs = await kafkajs(args).encode();
      assert.deepEqual((ours as unknown as { buffer: Buffer }).buffer, theirs.buffer);
    } finally {
      Date.now = realNow;
    }
  });
});

describe('kafkajs default partitioner hash (patch 9)', () => {
  const kafkajs = kafkajsOriginal<(key: unknown) => number>('kafkajs/src/producer/partitioners/default/murmur2');

  it('is what kafkajs\' DefaultPartitioner loads', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    assert.equal(require('kafkajs/src/producer/partitioners/default/murmur2'), kafkajsMurmur2);
  });

  it('hashes every key as kafkajs\' Long-based murmur2 does: buffers of every length and byte, strings, numbers', () => {
    const keys: unknown[] = [Buffer.alloc(0), 'ü', 12345, 'user-1'];
    let seed = 7;
    for (let length = 0; length < 300; length++) {
      const key = Buffer.alloc(length);
      for (let i = 0; i < length; i++) key[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
      keys.push(key);
    }
    for (const key of keys) assert.equal(kafkajsMurmur2(key), kafkajs(key), Buffer.isBuffer(key) ? key.toString('hex') : String(key));
  });
});

describe('kafkajs record batch CRC-32C (patch 12)', () => {
  const kafkajs = kafkajsOriginal<(buffer: Buffer) => number>('kafkajs/src/protocol/recordBatch/crc32C');

  it('is what kafkajs\' record batch encoder loads', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    assert.equal(require('kafkajs/src/protocol/recordBatch/crc32C'), kafkajsCrc32c);
  });

  it('gives kafkajs\' unsigned value on buffers of every length and byte, and the standard check value', () => {
    assert.equal(kafkajsCrc32c(Buffer.from('123456789')), 0xe3069283);
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) >>> 0) & 0xff;
    for (const length of [0, 1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 4096, 65_537]) {
      const buffer = Buffer.from(Array.from({ length }, random));
      assert.equal(kafkajsCrc32c(buffer), kafkajs(buffer), `${length} bytes`);
    }
    assert.equal(kafkajsCrc32c(Buffer.alloc(100, 0xff)), kafkajs(Buffer.alloc(100, 0xff)));
  });
});
