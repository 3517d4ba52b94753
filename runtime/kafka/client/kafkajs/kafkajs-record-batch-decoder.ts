/**
 * kafkajs' record batch decoder (`src/protocol/recordBatch/v0/decoder.js`, magic 2), rewritten
 * for speed (kafkajs-patches.ts, item 11). kafkajs decodes each record through a new Decoder
 * over a slice of its bytes, reads every timestamp delta as a 64-bit `Long`, adds offsets and
 * timestamps in `Long` objects and turns them into strings, and builds each record's headers by
 * copying an object per header: a quarter of the fetch path's CPU in a profile of the flagship
 * (`Long.fromString`/`toString` alone 0.65 s of 41 s busy). This reads the batch with one cursor
 * and does the arithmetic in doubles, exact while values stay within 2^53 (offsets and
 * millisecond timestamps do; larger ones take BigInt). It returns what kafkajs returns, field
 * for field: records are compared with kafkajs' own decoder in
 * test/unit/kafka/kafkajs-record-batch-decoder.test.ts. Unlike kafkajs, it checks each batch's
 * CRC-32C, and refuses a record whose fields contradict the lengths around them, as Java's
 * consumer does: a corrupt batch stops the read with the batch's offset in the error.
 */

import { kafkajsCrc32c } from './kafkajs-crc32c';

/** The kafkajs Decoder fields this reads: the fetch response's buffer and its read position. */
interface FetchDecoder {
  readonly buffer: Buffer;
  offset: number;
}

/** kafkajs' codec table entry (src/protocol/message/compression). */
interface Codec {
  decompress(buffer: Buffer): Promise<Buffer>;
}

/** A record as kafkajs' record decoder returns it. */
export interface DecodedRecord {
  readonly magicByte: number;
  readonly attributes: number;
  readonly timestamp: string;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, Buffer | null | Array<Buffer | null>>;
  readonly isControlRecord: boolean;
  readonly batchContext: BatchContext;
}

/** The batch's header fields, as kafkajs gives them (and attaches to each record). */
export interface BatchContext {
  readonly firstOffset: string;
  readonly firstTimestamp: string;
  readonly partitionLeaderEpoch: number;
  readonly inTransaction: boolean;
  readonly isControlBatch: boolean;
  readonly lastOffsetDelta: number;
  readonly producerId: string;
  readonly producerEpoch: number;
  readonly firstSequence: number;
  readonly maxTimestamp: string;
  readonly timestampType: number;
}

const TIMESTAMP_TYPE_FLAG_MASK = 0x8;
const TRANSACTIONAL_FLAG_MASK = 0x10;
const CONTROL_FLAG_MASK = 0x20;
const COMPRESSION_CODEC_MASK = 0x7;
/** kafkajs' TimestampTypes. */
const CREATE_TIME = 0;
const LOG_APPEND_TIME = 1;
const TWO_32 = 4294967296;
/** Bytes from a batch's partitionLeaderEpoch to its first record (the record count included). */
const RECORDS_START = 49;
/** The high word of an int64 below which hi * 2^32 + lo is exact in a double. */
const SAFE_HIGH = 0x200000;

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { KafkaJSPartialMessageError } = require('kafkajs/src/errors') as { KafkaJSPartialMessageError: new (message: string) => Error };
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { Codecs } = require('kafkajs/src/protocol/message/compression') as { Codecs: Record<number, (() => Codec) | undefined> };

/** A batch whose bytes contradict themselves (the broker checks CRCs, so this is not expected). */
export class CorruptRecordBatchError extends Error {
  constructor(firstOffset: string, detail: string) {
    super(`corrupt record batch at offset ${firstOffset}: ${detail}`);
    this.name = 'CorruptRecordBatchError';
  }
}

/**
 * Decodes the record batch at the fetch decoder's position and moves past it, as kafkajs'
 * decoder does; throws KafkaJSPartialMessageError when the response holds only part of it (the
 * tail of a fetch, which kafkajs' fetch decoder stops at). Synchronous unless the batch is
 * compressed.
 */
export function decodeRecordBatch(fetchDecoder: FetchDecoder): { records: DecodedRecord[] } & BatchContext | Promise<{ records: DecodedRecord[] } & BatchContext> {
  const buf = fetchDecoder.buffer;
  const start = fetchDecoder.offset;
  const firstOffset = int64String(buf, start);
  const length = buf.readInt32BE(start + 8);
  const body = start + 12;
  fetchDecoder.offset = body + length;
  const remaining = Math.max(0, Math.min(length, buf.length - body));
  if (remaining < length) {
    throw new KafkaJSPartialMessageError(`Tried to decode a partial record batch: remainingBytes(${remaining}) < recordBatchLength(${length})`);
  }
  const end = body + length;
  if (length < RECORDS_START) throw new CorruptRecordBatchError(firstOffset, `its length ${length} is shorter than a batch header`);
  const partitionLeaderEpoch = buf.readInt32BE(body);
  const magicByte = buf.readInt8(body + 4);
  // Checked, as Java's consumer does by default (check.crcs); kafkajs did not. Natively, a few GB/s.
  if (kafkajsCrc32c(buf.subarray(body + 9, end)) !== buf.readUInt32BE(body + 5)) throw new CorruptRecordBatchError(firstOffset, 'its CRC-32C does not match its bytes');
  const attributes = buf.readInt16BE(body + 9);
  const lastOffsetDelta = buf.readInt32BE(body + 11);
  const firstTimestamp = int64String(buf, body + 15);
  const maxTimestamp = int64String(buf, body + 23);
  const producerId = int64String(buf, body + 31);
  const producerEpoch = buf.readInt16BE(body + 39);
  const firstSequence = buf.readInt32BE(body + 41);
  const count = buf.readInt32BE(body + 45);
  const recordsStart = body + RECORDS_START;

  const context: BatchContext = {
    firstOffset,
    firstTimestamp,
    partitionLeaderEpoch,
    inTransaction: (attributes & TRANSACTIONAL_FLAG_MASK) > 0,
    isControlBatch: (attributes & CONTROL_FLAG_MASK) > 0,
    lastOffsetDelta,
    producerId,
    producerEpoch,
    firstSequence,
    maxTimestamp,
    timestampType: (attributes & TIMESTAMP_TYPE_FLAG_MASK) > 0 ? LOG_APPEND_TIME : CREATE_TIME,
  };
  const recordContext = { ...context, magicByte };
  const codecType = attributes & COMPRESSION_CODEC_MASK;
  if (codecType === 0) {
    const records = count <= 0 ? [] : decodeRecords(buf, recordsStart, end, count, recordContext);
    return { ...context, records };
  }
  const codec = Codecs[codecType];
  if (!codec) throw new CorruptRecordBatchError(firstOffset, `unknown compression codec ${codecType} in its attributes`);
  if (count <= 0) return { ...context, records: [] };
  return codec().decompress(buf.subarray(recordsStart, end)).then((plain) => ({
    ...context,
    records: decodeRecords(plain, 0, plain.length, count, recordContext),
  }));
}

/** What each record of a batch shares: its header fields and where offsets and timestamps start. */
interface RecordContext extends BatchContext {
  readonly magicByte: number;
}

function decodeRecords(buf: Buffer, from: number, end: number, count: number, batch: RecordContext): DecodedRecord[] {
  const cursor = new Cursor(buf, from, end, batch.firstOffset);
  const baseOffset = Number(batch.firstOffset);
  const baseTimestamp = Number(batch.firstTimestamp);
  const exactOffsets = Number.isSafeInteger(baseOffset);
  const exactTimestamps = Number.isSafeInteger(baseTimestamp);
  const logAppend = batch.timestampType === LOG_APPEND_TIME;
  const records = new Array<DecodedRecord>(count);
  for (let i = 0; i < count; i++) {
    const length = cursor.varInt();
    const recordEnd = cursor.position + length;
    if (length < 0 || recordEnd > end) throw new CorruptRecordBatchError(batch.firstOffset, `record ${i} runs past the batch`);
    const attributes = buf.readInt8(cursor.position++);
    const timestampDelta = cursor.varLong();
    const offsetDelta = cursor.varInt();
    const key = cursor.bytes();
    const value = cursor.bytes();
    const headerCount = cursor.varInt();
    const headers: Record<string, Buffer | null | Array<Buffer | null>> = {};
    for (let h = 0; h < headerCount; h++) {
      const name = cursor.string();
      const headerValue = cursor.bytes();
      const existing = headers[name];
      headers[name] = existing === undefined ? headerValue : Array.isArray(existing) ? [...existing, headerValue] : [existing, headerValue];
    }
    if (cursor.position !== recordEnd) throw new CorruptRecordBatchError(batch.firstOffset, `record ${i} is ${length} bytes long but its fields take ${cursor.position - recordEnd + length}`);
    records[i] = {
      magicByte: batch.magicByte,
      attributes,
      timestamp: logAppend && batch.maxTimestamp ? batch.maxTimestamp : add(baseTimestamp, exactTimestamps, batch.firstTimestamp, timestampDelta),
      offset: add(baseOffset, exactOffsets, batch.firstOffset, offsetDelta),
      key,
      value,
      headers,
      isControlRecord: batch.isControlBatch,
      batchContext: batch,
    };
  }
  return records;
}

/** `base + delta` as a decimal string: in doubles while exact, else in BigInt. */
function add(base: number, exact: boolean, baseString: string, delta: number | bigint): string {
  if (exact && typeof delta === 'number') {
    const sum = base + delta;
    if (Number.isSafeInteger(sum)) return String(sum);
  }
  return (BigInt(baseString) + BigInt(delta)).toString();
}

/** A signed big-endian int64 as a decimal string. */
function int64String(buf: Buffer, at: number): string {
  const high = buf.readInt32BE(at);
  if (high >= -SAFE_HIGH && high < SAFE_HIGH) return String(high * TWO_32 + buf.readUInt32BE(at + 4));
  return buf.readBigInt64BE(at).toString();
}

/** Reads a record's varints, bytes and strings, never past the end it was given. */
class Cursor {
  constructor(private readonly buf: Buffer, public position: number, private readonly end: number, private readonly firstOffset: string) {}

  /** A zigzag varint of at most 5 bytes (32 bits), as Java's ByteUtils.readVarint (int32 arithmetic, as Java's). */
  varInt(): number {
    let b = this.byte();
    // Most varints of a record (its field lengths, small offset deltas) are one byte.
    if (b < 0x80) return (b >>> 1) ^ -(b & 1);
    let value = b & 0x7f;
    for (let shift = 7; shift <= 28; shift += 7) {
      b = this.byte();
      value |= (b & 0x7f) << shift;
      if (b < 0x80) return (value >>> 1) ^ -(value & 1);
    }
    throw new CorruptRecordBatchError(this.firstOffset, 'a varint longer than 5 bytes');
  }

  /** A zigzag varlong of at most 10 bytes: a number while exact, else a bigint. */
  varLong(): number | bigint {
    const from = this.position;
    let unsigned = 0;
    for (let shift = 0; shift < 49; shift += 7) {
      const b = this.byte();
      unsigned += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return unsigned % 2 === 0 ? unsigned / 2 : -(unsigned + 1) / 2;
    }
    this.position = from;
    let big = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const b = this.byte();
      big |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asIntN(64, (big >> 1n) ^ -(big & 1n));
    }
    throw new CorruptRecordBatchError(this.firstOffset, 'a varlong longer than 10 bytes');
  }

  /** Varint-length bytes, a view of the batch's buffer (as kafkajs' slice); -1 is null. */
  bytes(): Buffer | null {
    const length = this.varInt();
    if (length === -1) return null;
    const to = this.position + length;
    if (length < 0 || to > this.end) throw new CorruptRecordBatchError(this.firstOffset, `a field of ${length} bytes runs past the batch`);
    const view = this.buf.subarray(this.position, to);
    this.position = to;
    return view;
  }

  /** A varint-length UTF-8 string (a header key); -1 is kafkajs' null, which becomes the key "null". */
  string(): string {
    const bytes = this.bytes();
    return bytes === null ? 'null' : bytes.toString('utf8');
  }

  private byte(): number {
    if (this.position >= this.end) throw new CorruptRecordBatchError(this.firstOffset, 'a record runs past the batch');
    return this.buf[this.position++];
  }
}
