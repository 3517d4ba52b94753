/*
 * Record batches, kafkajs' own code against Tributary's replacements (kafkajs-patches.ts), in one
 * process on the same bytes: 1 MiB of uncompressed record batches as a Java producer writes them
 * (16 KiB batches of JSON engagement events with string keys and one header).
 * - Decoding, batch by batch as kafkajs' fetch response decoder does (item 11,
 *   kafkajs-record-batch-decoder.ts): records/s.
 * - The CRC-32C every produced batch carries (item 12, kafkajs-crc32c.ts): MB/s.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/kafka-record-batches.js [--seconds 2]
 *
 * Prints each figure (rounds of the two interleaved: median of 5 each, and the median ratio of a
 * round pair).
 */
import '../runtime/kafka/client/kafkajs/kafkajs-patches';
import { decodeRecordBatch } from '../runtime/kafka/client/kafkajs/kafkajs-record-batch-decoder';
import { kafkajsCrc32c } from '../runtime/kafka/client/kafkajs/kafkajs-crc32c';
import { positiveOption } from '../runtime/cli/option-parsers';
import { parseScriptOptions, scriptCommand } from '../test/helpers/script-options';
import { kafkajsOriginal } from '../test/helpers/kafkajs-original';
import { median } from '../core/percentile';

const options = scriptCommand('dist/bench/kafka-record-batches.js', 'record batches decoded and checksummed by kafkajs and by Tributary\'s replacements: rates and ratios')
  .option('--seconds <n>', 'seconds per timed round', positiveOption('--seconds'), 2);
const opts = parseScriptOptions<{ seconds: number }>(options);

/* eslint-disable @typescript-eslint/no-var-requires */
const Decoder = require('kafkajs/src/protocol/decoder') as new (buffer: Buffer) => { buffer: Buffer; offset: number };
const Long = require('kafkajs/src/utils/long') as { fromNumber(v: number): unknown };
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: (args: Record<string, unknown>) => Promise<{ buffer: Buffer }> };
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (args: Record<string, unknown>) => unknown;
/* eslint-enable @typescript-eslint/no-var-requires */

type BatchDecoder = (decoder: { buffer: Buffer; offset: number }) => { records: unknown[] } | Promise<{ records: unknown[] }>;
const BATCH_BYTES = 16 * 1024;
const FETCH_BYTES = 1024 * 1024;

/** 1 MiB of record batches of engagement events, ~16 KiB each; returns the bytes and the record count. */
async function fetchBytes(): Promise<{ bytes: Buffer; records: number }> {
  const batches: Buffer[] = [];
  let size = 0;
  let offset = 1_000_000;
  let records = 0;
  const start = 1_767_225_600_000;
  while (size < FETCH_BYTES) {
    const batch: unknown[] = [];
    let batchSize = 0;
    for (let i = 0; batchSize < BATCH_BYTES; i++) {
      const value = JSON.stringify({ userId: `u${(offset + i) % 2000}`, pinId: `p${(offset * 7 + i) % 1000}`, action: 'click', eventTime: start + i * 13, surface: 'home' });
      batch.push(Record({ offsetDelta: i, timestampDelta: i * 13, key: `u${(offset + i) % 2000}`, value, headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } }));
      batchSize += value.length + 90;
    }
    const encoded = await RecordBatch({ firstOffset: Long.fromNumber(offset), firstTimestamp: start, maxTimestamp: start + batch.length * 13, lastOffsetDelta: batch.length - 1, records: batch });
    batches.push(Buffer.from(encoded.buffer));
    size += encoded.buffer.length;
    offset += batch.length;
    records += batch.length;
  }
  return { bytes: Buffer.concat(batches), records };
}

/** The batches of `bytes` (each: firstOffset, length, then `length` bytes). */
function batchesOf(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length;) {
    const end = at + 12 + bytes.readInt32BE(at + 8);
    out.push(bytes.subarray(at, end));
    at = end;
  }
  return out;
}

/** Units per second of `work` (which does `units` per call) over one round of `seconds`. */
async function round(work: () => Promise<void> | void, units: number): Promise<number> {
  let done = 0;
  const t0 = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < opts.seconds) {
    await work();
    done += units;
    elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  }
  return done / elapsed;
}

/**
 * kafkajs' and Tributary's rates, rounds interleaved (the machine's load moves between rounds):
 * the median of 5 rounds of each, and the median of the 5 ratios of a round pair.
 */
async function compare(theirs: () => Promise<void> | void, ours: () => Promise<void> | void, units: number): Promise<{ theirs: number; ours: number; ratio: number }> {
  const t: number[] = [];
  const o: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < 5; i++) {
    t.push(await round(theirs, units));
    o.push(await round(ours, units));
    ratios.push(o[i] / t[i]);
  }
  return { theirs: median(t), ours: median(o), ratio: median(ratios) };
}

async function decodeAll(decode: BatchDecoder, bytes: Buffer, records: number): Promise<void> {
  const decoder = new Decoder(bytes);
  let n = 0;
  while (decoder.offset < bytes.length) n += (await decode(decoder)).records.length;
  if (n !== records) throw new Error(`decoded ${n} of ${records} records`);
}

async function main(): Promise<void> {
  const { bytes, records } = await fetchBytes();
  const kafkajs = kafkajsOriginal<BatchDecoder>('kafkajs/src/protocol/recordBatch/v0/decoder');
  const ours = decodeRecordBatch as BatchDecoder;
  // Warm both up before timing (V8 optimizes each on its first rounds).
  for (let i = 0; i < 20; i++) { await decodeAll(kafkajs, bytes, records); await decodeAll(ours, bytes, records); }
  const decoding = await compare(() => decodeAll(kafkajs, bytes, records), () => decodeAll(ours, bytes, records), records);
  const batches = batchesOf(bytes);
  const kafkajsCrc = kafkajsOriginal<(b: Buffer) => number>('kafkajs/src/protocol/recordBatch/crc32C');
  for (const b of batches) if (kafkajsCrc(b) !== kafkajsCrc32c(b)) throw new Error('the CRCs differ');
  let sink = 0;
  const crc = await compare(() => { for (const b of batches) sink ^= kafkajsCrc(b); }, () => { for (const b of batches) sink ^= kafkajsCrc32c(b); }, bytes.length / 1e6);
  if (sink === 0.5) console.log('');
  console.log(`command: node dist/bench/kafka-record-batches.js --seconds ${opts.seconds}`);
  console.log(`input: ${(bytes.length / 1024).toFixed(0)} KiB of uncompressed record batches, ${records} records (${(bytes.length / records).toFixed(0)} bytes each), one header per record`);
  console.log(`decoding: kafkajs 2.2.4 ${Math.round(decoding.theirs).toLocaleString('en-US')} records/s, Tributary (patch 11) ${Math.round(decoding.ours).toLocaleString('en-US')} records/s, ratio ${decoding.ratio.toFixed(2)}x`);
  console.log(`CRC-32C of ${batches.length} batches: kafkajs 2.2.4 ${crc.theirs.toFixed(0)} MB/s, Tributary (@node-rs/crc32, patch 12) ${crc.ours.toFixed(0)} MB/s, ratio ${crc.ratio.toFixed(1)}x`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
