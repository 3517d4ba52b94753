/**
 * The snappy, lz4 and zstd codecs kafkajs 2.2.4 lacks (it has gzip only and throws
 * `KafkaJSNotImplemented` for the others), each a thin adapter over a maintained
 * package with prebuilt binaries in the npm registry (napi-rs, one optional package
 * per platform, glibc and musl):
 *
 * | codec  | package            | writes                                | reads                                     |
 * | ------ | ------------------ | ------------------------------------- | ----------------------------------------- |
 * | snappy | `snappy`           | raw snappy, as librdkafka and kafkajs-snappy do | raw snappy (librdkafka, Go, kafkajs) and the xerial framing Java's producer writes |
 * | lz4    | `lz4-napi`         | the LZ4 frame format (64 KiB independent blocks), as Java's and librdkafka's v2 batches | any LZ4 frame |
 * | zstd   | `@mongodb-js/zstd` | one zstd frame, level 3 (Kafka's default) | zstd frames with or without a content size (Java and librdkafka stream theirs) |
 *
 * kafkajs compresses the records section of a v2 record batch (magic 2), whose LZ4
 * frames are standard. The old message format v0 (Kafka before 0.10) wrote an LZ4
 * frame header checksum over the wrong bytes; such messages fail to decode with the
 * package's `HeaderChecksumError` (Kafka 4 no longer stores that format at all).
 *
 * Packages load on first use of their codec, so a platform without one of the
 * binaries fails only on topics that use that codec, with a message naming it.
 */

/** What kafkajs hands a codec to compress: its Encoder, of which only the bytes are read. */
interface EncoderLike {
  readonly buffer: Buffer;
}

/** A kafkajs compression codec (`CompressionCodecs[type]` returns one). */
export interface KafkajsCodec {
  compress(encoder: EncoderLike): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

/** kafkajs' codec numbers (its `CompressionTypes`), which are also the batch attribute's codec bits. */
export const KAFKAJS_CODEC_TYPES = { snappy: 2, lz4: 3, zstd: 4 } as const;

/** Kafka's default zstd level (compression.zstd.level), as Java clients write. */
const ZSTD_LEVEL = 3;

/** A codec package loaded at its first use (a topic that never uses the codec never loads it). */
function lazyPackage<T>(codec: string, packageName: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= load<T>(codec, packageName));
}

function load<T>(codec: string, packageName: string): T {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    return require(packageName) as T;
  } catch (error) {
    throw new Error(`the ${codec} codec needs the npm package ${packageName}, which did not load on this platform (${process.platform}-${process.arch}): ${(error as Error).message}`, { cause: error });
  }
}

/** The magic of xerial snappy-java's framing: 0x82 'SNAPPY' 0x00. */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
/** Magic, then int32 version and int32 compatible version; then blocks of int32 length + raw snappy. */
const XERIAL_HEADER_BYTES = 16;

function isXerialFramed(buffer: Buffer): boolean {
  return buffer.length >= XERIAL_HEADER_BYTES && buffer.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC);
}

/** The raw snappy blocks of a xerial-framed buffer (what Java's producer writes). */
export function xerialBlocks(buffer: Buffer): Buffer[] {
  const blocks: Buffer[] = [];
  let offset = XERIAL_HEADER_BYTES;
  while (offset < buffer.length) {
    if (offset + 4 > buffer.length) throw new Error(`snappy: truncated xerial frame: ${buffer.length - offset} bytes where a 4-byte block length was expected at ${offset}`);
    const length = buffer.readInt32BE(offset);
    offset += 4;
    if (length < 0 || offset + length > buffer.length) throw new Error(`snappy: xerial block of ${length} bytes at ${offset} runs past the ${buffer.length}-byte frame`);
    blocks.push(buffer.subarray(offset, offset + length));
    offset += length;
  }
  return blocks;
}

interface SnappyPackage {
  compress(data: Buffer): Promise<Buffer>;
  uncompress(data: Buffer, options: { asBuffer: true }): Promise<Buffer>;
}
const snappyPackage = lazyPackage<SnappyPackage>('snappy', 'snappy');

export const snappyCodec: KafkajsCodec = {
  async compress(encoder) {
    return snappyPackage().compress(encoder.buffer);
  },
  async decompress(buffer) {
    const snappy = snappyPackage();
    if (!isXerialFramed(buffer)) return snappy.uncompress(buffer, { asBuffer: true });
    const blocks = xerialBlocks(buffer);
    const decoded: Buffer[] = [];
    for (const block of blocks) decoded.push(await snappy.uncompress(block, { asBuffer: true }));
    return decoded.length === 1 ? decoded[0] : Buffer.concat(decoded);
  },
};

interface Lz4Package {
  compressFrame(data: Buffer): Promise<Buffer>;
  decompressFrame(data: Buffer): Promise<Buffer>;
}
const lz4Package = lazyPackage<Lz4Package>('lz4', 'lz4-napi');

export const lz4Codec: KafkajsCodec = {
  async compress(encoder) {
    return lz4Package().compressFrame(encoder.buffer);
  },
  async decompress(buffer) {
    return lz4Package().decompressFrame(buffer);
  },
};

interface ZstdPackage {
  compress(data: Buffer, level?: number): Promise<Buffer>;
  decompress(data: Buffer): Promise<Buffer>;
}
const zstdPackage = lazyPackage<ZstdPackage>('zstd', '@mongodb-js/zstd');

export const zstdCodec: KafkajsCodec = {
  async compress(encoder) {
    return zstdPackage().compress(encoder.buffer, ZSTD_LEVEL);
  },
  async decompress(buffer) {
    return zstdPackage().decompress(buffer);
  },
};

/** The codecs this module adds, by kafkajs codec number. */
export const KAFKAJS_EXTRA_CODECS: ReadonlyArray<readonly [number, KafkajsCodec]> = [
  [KAFKAJS_CODEC_TYPES.snappy, snappyCodec],
  [KAFKAJS_CODEC_TYPES.lz4, lz4Codec],
  [KAFKAJS_CODEC_TYPES.zstd, zstdCodec],
];
