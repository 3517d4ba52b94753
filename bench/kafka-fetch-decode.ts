/*
 * Decoding fetched record batches: kafkajs' own record batch decoder against Tributary's
 * replacement (runtime/kafka/client/kafkajs/kafkajs-record-batch-decoder.ts, kafkajs-patches.ts
 * item 11), in one process on the same bytes: 1 MiB of uncompressed record batches as a Java
 * producer writes them (16 KiB batches of JSON engagement events with string keys and one
 * header), decoded batch by batch as kafkajs' fetch response decoder does.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/kafka-fetch-decode.js [--seconds 2]
 *
 * Prints records/s for each (median of 3 timed rounds) and the ratio.
 */
import '../runtime/kafka/client/kafkajs/kafkajs-patches';
import { decodeRecordBatch } from '../runtime/kafka/client/kafkajs/kafkajs-record-batch-decoder';
import { positiveOption } from '../runtime/cli/option-parsers';
import { parseScriptOptions, scriptCommand } from '../test/helpers/script-options';
import { kafkajsOriginal } from '../test/helpers/kafkajs-original';
import { median } from '../core/percentile';

const options = scriptCommand('dist/bench/kafka-fetch-decode.js', 'fetched record batches decoded by kafkajs and by Tributary\'s decoder: records/s and ratio')
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

async function decodeAll(decode: BatchDecoder, bytes: Buffer): Promise<number> {
  const decoder = new Decoder(bytes);
  let n = 0;
  while (decoder.offset < bytes.length) n += (await decode(decoder)).records.length;
  return n;
}

/** Records/s of `decode` over the fetch bytes: the median of 3 rounds of `seconds` each. */
async function rate(decode: BatchDecoder, bytes: Buffer, records: number): Promise<number> {
  const rounds: number[] = [];
  for (let round = 0; round < 3; round++) {
    let decoded = 0;
    const t0 = process.hrtime.bigint();
    let elapsed = 0;
    while (elapsed < opts.seconds) {
      const n = await decodeAll(decode, bytes);
      if (n !== records) throw new Error(`decoded ${n} of ${records} records`);
      decoded += n;
      elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
    }
    rounds.push(decoded / elapsed);
  }
  return median(rounds);
}

async function main(): Promise<void> {
  const { bytes, records } = await fetchBytes();
  const kafkajs = kafkajsOriginal<BatchDecoder>('kafkajs/src/protocol/recordBatch/v0/decoder');
  const ours = decodeRecordBatch as BatchDecoder;
  // Warm both up before timing (V8 optimizes each on its first rounds).
  for (let i = 0; i < 20; i++) { await decodeAll(kafkajs, bytes); await decodeAll(ours, bytes); }
  const theirs = await rate(kafkajs, bytes, records);
  const mine = await rate(ours, bytes, records);
  console.log(`command: node dist/bench/kafka-fetch-decode.js --seconds ${opts.seconds}`);
  console.log(`input: ${(bytes.length / 1024).toFixed(0)} KiB of uncompressed record batches, ${records} records (${(bytes.length / records).toFixed(0)} bytes each), one header per record`);
  console.log(`kafkajs 2.2.4 record batch decoder: ${Math.round(theirs).toLocaleString('en-US')} records/s`);
  console.log(`Tributary's decoder (patch 11):     ${Math.round(mine).toLocaleString('en-US')} records/s`);
  console.log(`ratio Tributary / kafkajs: ${(mine / theirs).toFixed(2)}x`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
