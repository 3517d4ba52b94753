import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import { KAFKAJS_CODEC_TYPES, lz4Codec, snappyCodec, xerialBlocks, zstdCodec, type KafkajsCodec } from '../../../runtime/kafka/client/kafkajs/kafkajs-codecs';
import { assertKafkajsPatched } from '../../../runtime/kafka/client/kafkajs/kafkajs-patches';

// input.bin and what Kafka's Java producer (kafka-clients 3.9.1) makes of it for a v2
// batch: JavaCodecFixtures.java beside them writes them.
const fixtures = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'codecs');
const input = fs.readFileSync(path.join(fixtures, 'input.bin'));

const codecs: ReadonlyArray<readonly [name: 'snappy' | 'lz4' | 'zstd', codec: KafkajsCodec]> = [['snappy', snappyCodec], ['lz4', lz4Codec], ['zstd', zstdCodec]];

/** kafkajs' recordBatch decoder calls its codec with the compressed bytes; the encoder hands it an Encoder. */
const encoderOf = (buffer: Buffer) => ({ buffer });

describe('kafkajs codecs (snappy, lz4, zstd)', () => {
  it('are what kafkajs looks up for their codec numbers once the patches loaded', () => {
    assertKafkajsPatched();
    assert.equal(CompressionCodecs[CompressionTypes.Snappy](), snappyCodec);
    assert.equal(CompressionCodecs[CompressionTypes.LZ4](), lz4Codec);
    assert.equal(CompressionCodecs[CompressionTypes.ZSTD](), zstdCodec);
    assert.deepEqual(KAFKAJS_CODEC_TYPES, { snappy: CompressionTypes.Snappy, lz4: CompressionTypes.LZ4, zstd: CompressionTypes.ZSTD });
  });

  for (const [name, codec] of codecs) {
    it(`${name}: round-trips a records section, an empty one and a 3 MiB one`, async () => {
      for (const data of [input, Buffer.alloc(0), Buffer.concat(Array.from({ length: 33 }, () => input))]) {
        const compressed = await codec.compress(encoderOf(data));
        assert.ok(data.length < 1000 || compressed.length < data.length / 2, `${name} compresses ${data.length} bytes to ${compressed.length}`);
        assert.ok((await codec.decompress(compressed)).equals(data));
      }
    });

    it(`${name}: reads what Kafka's Java producer writes`, async () => {
      const javaBytes = fs.readFileSync(path.join(fixtures, `java-${name}.bin`));
      assert.ok((await codec.decompress(javaBytes)).equals(input));
    });

    it(`${name}: fails on corrupt input instead of returning wrong bytes`, async () => {
      const compressed = await codec.compress(encoderOf(input));
      const corrupt = Buffer.from(compressed.subarray(0, compressed.length >> 1));
      await assert.rejects(codec.decompress(corrupt));
    });
  }

  it('lz4: writes the standard LZ4 frame Kafka v2 batches carry (magic 0x184D2204, independent blocks)', async () => {
    const frame = await lz4Codec.compress(encoderOf(input));
    assert.equal(frame.readUInt32LE(0), 0x184d2204);
    const flg = frame[4];
    assert.equal(flg >> 6, 1, 'frame version 01');
    assert.equal((flg >> 5) & 1, 1, 'block independence: Java\'s KafkaLZ4BlockInputStream decodes each block alone');
  });

  it('snappy: writes raw snappy (as librdkafka does) and reads xerial frames block by block', async () => {
    const raw = await snappyCodec.compress(encoderOf(input));
    assert.notEqual(raw[0], 0x82, 'no xerial header');
    const javaBytes = fs.readFileSync(path.join(fixtures, 'java-snappy.bin'));
    assert.equal(xerialBlocks(javaBytes).length, 3, 'Java frames 32 KiB blocks: 3 for this input');
    const truncated = javaBytes.subarray(0, javaBytes.length - 10);
    await assert.rejects(snappyCodec.decompress(truncated), /xerial block of \d+ bytes at \d+ runs past/);
  });

  it('gzip stays kafkajs\' own and reads Java\'s gzip', async () => {
    const gzip = CompressionCodecs[CompressionTypes.GZIP]() as unknown as KafkajsCodec;
    assert.ok((await gzip.decompress(fs.readFileSync(path.join(fixtures, 'java-gzip.bin')))).equals(input));
    assert.ok((await gzip.decompress(gzipSync(input))).equals(input));
  });
});
