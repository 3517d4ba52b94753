/*
 * Kafka compression codec packages compared on what kafkajs hands a codec: the
 * records section of one v2 record batch (varint-framed records of JSON
 * engagement events, string keys, one header), at two batch sizes: a Java
 * producer's default batch.size (16 KiB) and a full 1 MiB fetch.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/kafka-codecs.js [--seconds 1]
 *
 * Candidates that are not dependencies are measured when they are installed
 * (`npm install --no-save snappyjs lz4js fzstd @bokuweb/zstd-wasm @toondepauw/node-zstd`)
 * and skipped otherwise (NODE_PATH=/elsewhere/node_modules finds them outside the
 * project). Prints, per codec and package, MB/s of uncompressed bytes for encode
 * and decode (median of 3 timed rounds; native packages through their async calls,
 * as kafkajs awaits a codec; pure JS and WASM ones synchronous; then Tributary's
 * adapters in kafkajs-codecs.ts) and the compression ratio.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { lz4Codec, snappyCodec, zstdCodec, type KafkajsCodec } from '../runtime/kafka/client/kafkajs/kafkajs-codecs';
import { positiveOption } from '../runtime/cli/option-parsers';
import { parseScriptOptions, scriptCommand } from '../test/helpers/script-options';
import { median } from '../core/percentile';

const options = scriptCommand('dist/bench/kafka-codecs.js', 'compression codecs of produced batches: throughput and size per codec')
  .option('--seconds <n>', 'seconds per figure', positiveOption('--seconds'), 1);
const opts = parseScriptOptions<{ seconds: number }>(options);
const SECONDS = opts.seconds;

type Bytes = Buffer | Uint8Array;
interface Candidate {
  readonly codec: 'gzip' | 'snappy' | 'lz4' | 'zstd';
  readonly name: string;
  encode(data: Buffer): Bytes | Promise<Bytes>;
  decode(data: Buffer): Bytes | Promise<Bytes>;
}

/* eslint-disable @typescript-eslint/no-var-requires */
function optional(name: string): any {
  try {
    return require(name);
  } catch {
    return undefined;
  }
}

async function candidates(): Promise<Candidate[]> {
  const list: Candidate[] = [{ codec: 'gzip', name: 'node:zlib (kafkajs built-in, level 6)', encode: (d) => gzipSync(d), decode: (d) => gunzipSync(d) }];
  const snappy = optional('snappy');
  if (snappy) list.push({ codec: 'snappy', name: 'snappy (napi-rs, async)', encode: (d) => snappy.compress(d), decode: (d) => snappy.uncompress(d, { asBuffer: true }) });
  const snappyjs = optional('snappyjs');
  if (snappyjs) list.push({ codec: 'snappy', name: 'snappyjs (pure JS; kafkajs-snappy)', encode: (d) => snappyjs.compress(d), decode: (d) => snappyjs.uncompress(d) });
  const lz4napi = optional('lz4-napi');
  if (lz4napi) list.push({ codec: 'lz4', name: 'lz4-napi frame (napi-rs, lz4_flex, async)', encode: (d) => lz4napi.compressFrame(d), decode: (d) => lz4napi.decompressFrame(d) });
  const lz4js = optional('lz4js');
  if (lz4js) list.push({ codec: 'lz4', name: 'lz4js frame (pure JS)', encode: (d) => lz4js.compress(d), decode: (d) => lz4js.decompress(d) });
  const mongoZstd = optional('@mongodb-js/zstd');
  if (mongoZstd) list.push({ codec: 'zstd', name: '@mongodb-js/zstd 1.x (napi-rs, async)', encode: (d) => mongoZstd.compress(d, 3), decode: (d) => mongoZstd.decompress(d) });
  const toon = optional('@toondepauw/node-zstd');
  if (toon) {
    const encoder = new toon.Encoder(3);
    const decoder = new toon.Decoder();
    list.push({ codec: 'zstd', name: '@toondepauw/node-zstd (napi-rs, async)', encode: (d) => encoder.encode(d), decode: (d) => decoder.decode(d) });
  }
  const bokuweb = optional('@bokuweb/zstd-wasm');
  if (bokuweb) {
    await bokuweb.init();
    list.push({ codec: 'zstd', name: '@bokuweb/zstd-wasm (WASM)', encode: (d) => bokuweb.compress(d, 3), decode: (d) => bokuweb.decompress(d, { defaultHeapSize: 4 << 20 }) });
  }
  const fzstd = optional('fzstd');
  if (fzstd && mongoZstd) list.push({ codec: 'zstd', name: 'fzstd (pure JS, decode only)', encode: (d) => mongoZstd.compress(d, 3), decode: (d) => fzstd.decompress(d) });
  const adapter = (codec: Candidate['codec'], name: string, c: KafkajsCodec): Candidate => ({ codec, name, encode: (d) => c.compress({ buffer: d }), decode: (d) => c.decompress(d) });
  list.push(adapter('snappy', 'Tributary snappy adapter (snappy, async)', snappyCodec));
  list.push(adapter('lz4', 'Tributary lz4 adapter (lz4-napi, async)', lz4Codec));
  list.push(adapter('zstd', 'Tributary zstd adapter (@mongodb-js/zstd)', zstdCodec));
  return list.sort((a, b) => order.indexOf(a.codec) - order.indexOf(b.codec));
}

const order: ReadonlyArray<Candidate['codec']> = ['gzip', 'snappy', 'lz4', 'zstd'];

/** The records section of a v2 record batch of `count` records, as kafkajs encodes it before compressing. */
function recordsSection(count: number, seed: number): Buffer {
  const encodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0');
  const Encoder = require('kafkajs/src/protocol/encoder');
  const actions = ['click', 'save', 'closeup', 'hide', 'impression'];
  const categories = ['home_decor', 'recipes', 'travel', 'fashion', 'diy', 'art', 'fitness'];
  let x = seed;
  const rand = (n: number) => (x = (x * 1103515245 + 12345) % 2147483648) % n;
  const records = [];
  for (let i = 0; i < count; i++) {
    const user = `user-${rand(100_000)}`;
    const value = JSON.stringify({
      userId: user, pinId: `pin-${rand(10_000_000)}`, action: actions[rand(actions.length)],
      category: categories[rand(categories.length)], surface: rand(2) ? 'home_feed' : 'search',
      dwellMs: rand(30_000), timestamp: 1_760_000_000_000 + i * 7 + rand(5),
    });
    records.push(encodeRecord({ offsetDelta: i, timestampDelta: i * 7, key: Buffer.from(user), value: Buffer.from(value), headers: { 'trace-id': `${rand(1 << 30).toString(16)}${rand(1 << 30).toString(16)}` } }));
  }
  return new Encoder().writeEncoderArray(records).buffer;
}

/** A batch of roughly `bytes` bytes. */
function batchOf(bytes: number): Buffer {
  let count = Math.max(1, Math.round(bytes / 230));
  let section = recordsSection(count, 42);
  count = Math.max(1, Math.round((count * bytes) / section.length));
  section = recordsSection(count, 42);
  return section;
}

async function rate(fn: (d: Buffer) => Bytes | Promise<Bytes>, input: Buffer, bytesPerCall: number): Promise<number> {
  const rounds: number[] = [];
  for (let r = 0; r < 3; r++) {
    const deadline = performance.now() + (SECONDS * 1000) / 3;
    let calls = 0;
    const start = performance.now();
    while (performance.now() < deadline) {
      const out = fn(input);
      if (out instanceof Promise) await out;
      calls++;
    }
    rounds.push((calls * bytesPerCall) / ((performance.now() - start) / 1000) / 1e6);
  }
  return median(rounds);
}

async function main(): Promise<void> {
  const list = await candidates();
  console.log(`node ${process.version}, ${SECONDS}s per figure; MB/s of uncompressed bytes (median of 3)`);
  for (const target of [16 * 1024, 1024 * 1024]) {
    const batch = batchOf(target);
    console.log(`\nbatch of ${batch.length} bytes (${(batch.length / 1024).toFixed(0)} KiB of records section)`);
    console.log(`${'codec'.padEnd(7)} ${'package'.padEnd(44)} ${'encode'.padStart(8)} ${'decode'.padStart(8)} ${'ratio'.padStart(6)}`);
    for (const c of list) {
      const compressed = Buffer.from(await c.encode(batch));
      const back = Buffer.from(await c.decode(compressed));
      if (!back.equals(batch)) throw new Error(`${c.name}: round trip differs`);
      const enc = await rate(c.encode, batch, batch.length);
      const dec = await rate(c.decode, compressed, batch.length);
      console.log(`${c.codec.padEnd(7)} ${c.name.padEnd(44)} ${enc.toFixed(0).padStart(8)} ${dec.toFixed(0).padStart(8)} ${(batch.length / compressed.length).toFixed(2).padStart(6)}`);
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
