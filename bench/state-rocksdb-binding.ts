/*
 * rocksdb (leveldown API, RocksDB 6.17) vs rocksdb-native (current RocksDB)
 * on the state store's real access pattern: per commit, one multi-get of a
 * batch's keys, then one write batch of those keys; and the range scans of
 * windowed stores and interactive queries (an iterator over `--scan` keys
 * in order from a random start).
 *
 *   npx tsc -p tsconfig.json && node dist/bench/state-rocksdb-binding.js [--keys 200000] [--batch 1000] [--rounds 300]
 *
 * rocksdb-native is not a dependency: install it anywhere and point at it with
 * ROCKSDB_NATIVE=/path/to/node_modules/rocksdb-native (or have it in node_modules).
 * Prints µs per key and the ratio against `rocksdb` (the baseline, measured in
 * the same run, alternating, median of 3).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskDatabase } from '../runtime/state/task-database';
import { integerOption } from '../runtime/cli/option-parsers';
import { parseScriptOptions, scriptCommand } from '../test/helpers/script-options';
import { median } from '../core/percentile';

const options = scriptCommand('dist/bench/state-rocksdb-binding.js', 'the RocksDB bindings on the access pattern of the stores: batched puts and multi-gets')
  .option('--keys <n>', 'keys', integerOption('--keys', 1), 200_000)
  .option('--batch <n>', 'keys per batch', integerOption('--batch', 1), 1000)
  .option('--rounds <n>', 'rounds', integerOption('--rounds', 1), 300)
  .option('--scan <n>', 'keys per range scan', integerOption('--scan', 1), 100);
const opts = parseScriptOptions<{ keys: number; batch: number; rounds: number; scan: number }>(options);
const KEYS = opts.keys;
const BATCH = opts.batch;
const ROUNDS = opts.rounds;
const SCAN = opts.scan;

interface Binding {
  name: string;
  putBatch(entries: Array<[Buffer, Buffer]>): Promise<void>;
  getMany(keys: Buffer[]): Promise<Array<Buffer | undefined | null>>;
  /** Entries with gte <= key < lt, in order, as the stores' range and prefix scans read them. */
  scan(gte: Buffer, lt: Buffer): Promise<number>;
  close(): Promise<void>;
}

function key(i: number): Buffer {
  // The layout the stores write: store prefix + structured string key.
  return Buffer.from(`\u0001\u0000\u0006counts user-${String(i).padStart(8, '0')}\u0000`, 'latin1');
}
function value(i: number, round: number): Buffer {
  return Buffer.from(JSON.stringify({ count: i + round, sum: (i * 31 + round) % 997, last: 1_700_000_000_000 + round }));
}

async function openLeveldown(dir: string): Promise<Binding> {
  const db = await TaskDatabase.open(dir);
  return {
    name: 'rocksdb 5.2.1',
    putBatch: (entries) => db.write(entries.map(([k, v]) => ({ key: k, value: v }))),
    getMany: (keys) => db.getMany(keys),
    async scan(gte, lt) {
      let n = 0;
      for await (const entry of db.iterate(gte, lt)) if (entry[1].length > 0) n++;
      return n;
    },
    close: () => db.close(),
  };
}

async function openNative(dir: string): Promise<Binding | undefined> {
  let RocksDB: new (path: string, opts?: object) => any;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    RocksDB = require(process.env.ROCKSDB_NATIVE ?? 'rocksdb-native');
  } catch {
    return undefined;
  }
  const db = new RocksDB(dir);
  await db.ready();
  const version = (() => {
    try {
      return require(join(process.env.ROCKSDB_NATIVE ?? 'rocksdb-native', 'package.json')).version;
    } catch {
      return '?';
    }
  })();
  return {
    name: `rocksdb-native ${version}`,
    async putBatch(entries) {
      const w = db.write({ autoDestroy: true });
      for (const [k, v] of entries) w.put(k, v);
      await w.flush();
    },
    async getMany(keys) {
      const r = db.read({ autoDestroy: true });
      const found = keys.map((k) => r.get(k));
      r.flush();
      return Promise.all(found);
    },
    async scan(gte, lt) {
      let n = 0;
      // capacity: entries per native read (default 8); 64 batches as the leveldown iterator's 64 KiB highWaterMark does.
      for await (const entry of db.iterator({ gte, lt, capacity: 64 })) if (entry.value.length > 0) n++;
      return n;
    },
    close: () => db.close(),
  };
}

/** Deterministic skewed key choice: a quarter of the reads go to 1% of the keys. */
function batchKeys(round: number): number[] {
  const out: number[] = [];
  let x = (round * 2654435761) >>> 0;
  for (let i = 0; i < BATCH; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out.push(i % 4 === 0 ? x % Math.floor(KEYS / 100) : x % KEYS);
  }
  return out;
}

async function run(binding: Binding): Promise<{ getUs: number; putUs: number; scanUs: number }> {
  // Load the key space first so reads hit data on disk and in memtables.
  for (let start = 0; start < KEYS; start += 10_000) {
    const entries: Array<[Buffer, Buffer]> = [];
    for (let i = start; i < Math.min(KEYS, start + 10_000); i++) entries.push([key(i), value(i, 0)]);
    await binding.putBatch(entries);
  }
  let getNs = 0n;
  let putNs = 0n;
  for (let round = 1; round <= ROUNDS; round++) {
    const ids = batchKeys(round);
    const keys = ids.map(key);
    let t = process.hrtime.bigint();
    const found = await binding.getMany(keys);
    getNs += process.hrtime.bigint() - t;
    if (found.length !== keys.length || found[0] == null) throw new Error(`${binding.name}: multi-get lost keys`);
    const entries: Array<[Buffer, Buffer]> = ids.map((id, i) => [keys[i], value(id, round)]);
    t = process.hrtime.bigint();
    await binding.putBatch(entries);
    putNs += process.hrtime.bigint() - t;
  }
  let scanNs = 0n;
  let scanned = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const start = batchKeys(round)[0] % Math.max(1, KEYS - SCAN);
    const t = process.hrtime.bigint();
    const n = await binding.scan(key(start), key(start + SCAN));
    scanNs += process.hrtime.bigint() - t;
    if (n !== SCAN) throw new Error(`${binding.name}: scan of ${SCAN} keys from ${start} saw ${n}`);
    scanned += n;
  }
  const ops = ROUNDS * BATCH;
  return { getUs: Number(getNs) / 1000 / ops, putUs: Number(putNs) / 1000 / ops, scanUs: Number(scanNs) / 1000 / scanned };
}


async function main(): Promise<void> {
  const results = new Map<string, Array<{ getUs: number; putUs: number; scanUs: number }>>();
  for (let rep = 0; rep < 3; rep++) {
    for (const open of [openLeveldown, openNative]) {
      const dir = mkdtempSync(join(tmpdir(), 'bench-binding-'));
      const binding = await open(dir);
      if (binding === undefined) {
        if (rep === 0) console.log('rocksdb-native not found: set ROCKSDB_NATIVE=/path/to/node_modules/rocksdb-native');
        rmSync(dir, { recursive: true, force: true });
        continue;
      }
      const r = await run(binding);
      await binding.close();
      rmSync(dir, { recursive: true, force: true });
      results.set(binding.name, [...(results.get(binding.name) ?? []), r]);
    }
  }
  console.log(`keys=${KEYS} batch=${BATCH} rounds=${ROUNDS} scan=${SCAN} (median of 3, µs per key; xN = speed against the first row)`);
  let base: { get: number; put: number; scan: number } | undefined;
  for (const [name, rs] of results) {
    const get = median(rs.map((r) => r.getUs));
    const put = median(rs.map((r) => r.putUs));
    const scan = median(rs.map((r) => r.scanUs));
    base ??= { get, put, scan };
    console.log(`${name.padEnd(22)} multi-get ${get.toFixed(2)} µs/key (x${(base.get / get).toFixed(2)})   batch put ${put.toFixed(2)} µs/key (x${(base.put / put).toFixed(2)})   range scan ${scan.toFixed(2)} µs/key (x${(base.scan / scan).toFixed(2)})`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
