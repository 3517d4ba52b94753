/*
 * A store's write-back cache of bytes (the default, baseline) against its cache of objects
 * (`cache: objects`), with JSON values and with `format: structured-clone`, on the flagship's
 * access pattern: per batch one multi-get of its users'
 * features (the flagship's own value and update: three 32-float embeddings, decayed counters,
 * labels, the last actions, shown and closed pins), each record changes its user's value in
 * place and puts it, and the task commits
 * (flush: cache → changelog records → one RocksDB write batch) every few batches. Rounds
 * alternate between the two, in one process, so machine noise falls on both alike; the
 * changelog records are counted, not produced (the store's own cost).
 *
 *   npx tsc -p tsconfig.json && node dist/bench/state-object-cache.js [--records 100000] [--users 2000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskStores } from '../runtime/state/task-stores';
import { jsonValueSerde } from '../runtime/state/serde-json-value';
import { structuredCloneValueSerde } from '../runtime/state/serde-structured-clone-value';
import type { StoreCacheKind, StoreValueFormat } from '../runtime/state/store-definition';
import { integerOption } from '../runtime/cli/option-parsers';
import { parseScriptOptions, scriptCommand } from '../test/helpers/script-options';
import { median } from '../core/percentile';
import { emptyUserFeatures, updateUserFeatures, type PinContent, type UserFeatures } from '../examples/home-feed/lib/user-features';
import { DEFAULT_HOME_FEED_SETTINGS } from '../examples/home-feed/lib/home-feed-settings';
import { MODEL_EMBEDDING_DIM } from '../examples/home-feed/lib/ranking-request';
import type { EngagementAction, EngagementEvent } from '../examples/home-feed/generate/home-feed-events';

const options = scriptCommand('dist/bench/state-object-cache.js', "a store's cache of bytes against its cache of objects, and JSON against structured-clone values, on per-user features updated in place")
  .option('--records <n>', 'records per round', integerOption('--records', 1), 100_000)
  .option('--users <n>', 'distinct users (keys)', integerOption('--users', 1), 2_000)
  .option('--batch <n>', 'records per batch', integerOption('--batch', 1), 200)
  .option('--commit-every <n>', 'batches per commit', integerOption('--commit-every', 1), 5)
  .option('--rounds <n>', 'rounds of each kind, alternating', integerOption('--rounds', 1), 5);
const opts = parseScriptOptions<{ records: number; users: number; batch: number; commitEvery: number; rounds: number }>(options);

const ACTIONS: EngagementAction[] = ['impression', 'click', 'impression', 'closeup', 'save', 'impression', 'share', 'hide'];
const LABELS = Array.from({ length: 60 }, (_, i) => `label-${i}`);

/** Pins of a small catalogue: the content an engagement folds into the user's features. */
function pinOf(n: number): PinContent {
  const embedding = Array.from({ length: MODEL_EMBEDDING_DIM }, (_, d) => Math.sin(n * 7 + d));
  return { embedding, labels: [LABELS[n % 60], LABELS[(n * 7) % 60], LABELS[(n * 13) % 60]], category: `category-${n % 12}` };
}
const PINS = Array.from({ length: 1000 }, (_, n) => pinOf(n));

/** One engagement, through the flagship's own update (the value the flagship stores). */
function apply(f: UserFeatures, userId: string, i: number, t: number): void {
  const pin = i % 1000;
  const event: EngagementEvent = { eventId: `e${i}`, userId, pinId: `pin-${pin}`, action: ACTIONS[i % ACTIONS.length], eventTime: t, surface: 'home', dwellMs: 0, attributes: {} };
  updateUserFeatures(f, event, PINS[pin], DEFAULT_HOME_FEED_SETTINGS);
}

function usersOfBatch(b: number): string[] {
  const out: string[] = [];
  let x = (b * 2654435761 + 1) >>> 0;
  for (let i = 0; i < opts.batch; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    // A quarter of the records from 5% of the users, like an engagement stream.
    out.push(`user-${i % 4 === 0 ? x % Math.max(1, Math.floor(opts.users / 20)) : x % opts.users}`);
  }
  return out;
}

interface StoreConfig {
  readonly label: string;
  readonly cache: StoreCacheKind;
  readonly format: StoreValueFormat;
}

const CONFIGS: readonly StoreConfig[] = [
  { label: 'cache: bytes, format: json (baseline)', cache: 'bytes', format: 'json' },
  { label: 'cache: objects, format: json', cache: 'objects', format: 'json' },
  { label: 'cache: objects, format: structured-clone', cache: 'objects', format: 'structured-clone' },
];

interface Round {
  readonly perSecond: number;
  readonly changelogPerCommit: number;
  readonly bytes: number;
}

async function round({ cache, format }: StoreConfig): Promise<Round> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-object-cache-'));
  const stores = await TaskStores.open({ stateDir: dir, appId: 'bench', taskId: '0_0', stores: [{ name: 'users', changelog: true, cache, format }] });
  const users = stores.keyValueStore<string, UserFeatures>('users');
  const batches = Math.ceil(opts.records / opts.batch);
  let changelog = 0;
  let bytes = 0;
  let commits = 0;
  const started = process.hrtime.bigint();
  for (let b = 0; b < batches; b++) {
    const keys = usersOfBatch(b);
    const distinct = [...new Set(keys)];
    const found = await users.getMany(distinct);
    const current = new Map<string, UserFeatures>();
    distinct.forEach((k, i) => current.set(k, found[i] ?? emptyUserFeatures(MODEL_EMBEDDING_DIM)));
    for (let i = 0; i < keys.length; i++) {
      const f = current.get(keys[i])!;
      apply(f, keys[i], b * opts.batch + i, 1_700_000_000_000 + (b * opts.batch + i) * 1000);
      users.put(keys[i], f);
    }
    if ((b + 1) % opts.commitEvery === 0 || b === batches - 1) {
      const records = await stores.flush();
      changelog += records.length;
      for (const r of records) bytes += r.value?.length ?? 0;
      await stores.commitApplied([]);
      commits++;
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await stores.close();
  rmSync(dir, { recursive: true, force: true });
  return { perSecond: (batches * opts.batch) / seconds, changelogPerCommit: changelog / commits, bytes: bytes / changelog };
}

async function main(): Promise<void> {
  const runs = CONFIGS.map(() => [] as Round[]);
  // One round of each first, not counted: the first round of any kind also warms the JIT.
  for (const config of CONFIGS) await round(config);
  for (let r = 0; r < opts.rounds; r++) {
    for (let c = 0; c < CONFIGS.length; c++) runs[c].push(await round(CONFIGS[c]));
  }
  const rates = runs.map((rounds) => median(rounds.map((r) => r.perSecond)));
  console.log(`records=${opts.records} users=${opts.users} batch=${opts.batch} commit every ${opts.commitEvery} batches; median of ${opts.rounds} alternating rounds`);
  CONFIGS.forEach((config, c) => {
    const first = runs[c][0];
    console.log(`${config.label.padEnd(44)} ${Math.round(rates[c]).toLocaleString('en').padStart(9)} records/s  ${Math.round(first.changelogPerCommit)} changelog records/commit of ~${Math.round(first.bytes)} bytes${c === 0 ? '' : `  x${(rates[c] / rates[0]).toFixed(2)} vs baseline`}`);
  });
  console.log(`rounds, records/s: ${CONFIGS.map((config, c) => `${config.cache}/${config.format} ${runs[c].map((r) => Math.round(r.perSecond)).join(' ')}`).join('; ')}`);
  formats();
}

/**
 * The value formats alone: each user's features after 60 engagements, serialized and parsed by
 * each format's serde, rounds alternating (what `cache: objects` pays per dirty key and commit).
 */
function formats(): void {
  const users = Array.from({ length: opts.users }, (_, u) => {
    const f = emptyUserFeatures(MODEL_EMBEDDING_DIM);
    for (let i = 0; i < 60; i++) apply(f, `user-${u}`, u * 31 + i * 17, 1_700_000_000_000 + i * 60_000);
    return f;
  });
  const serdes = [['json', jsonValueSerde], ['structured-clone', structuredCloneValueSerde]] as const;
  const time = (work: () => void): number => {
    const started = process.hrtime.bigint();
    work();
    return Number(process.hrtime.bigint() - started) / 1e3 / users.length;
  };
  const write: number[][] = [[], []];
  const read: number[][] = [[], []];
  for (let r = 0; r <= opts.rounds; r++) {
    serdes.forEach(([, serde], i) => {
      let encoded: Buffer[] = [];
      const w = time(() => { encoded = users.map((f) => serde.serialize(f)); });
      const rd = time(() => { for (const b of encoded) serde.deserialize(b); });
      if (r > 0) { write[i].push(w); read[i].push(rd); } // round 0 warms the JIT
    });
  }
  const sizes = serdes.map(([, serde]) => Math.round(users.reduce((n, f) => n + serde.serialize(f).length, 0) / users.length));
  const [jw, cw] = write.map(median);
  const [jr, cr] = read.map(median);
  console.log(`value formats, ${users.length} users' features (median of ${opts.rounds} alternating rounds, µs per value):`);
  console.log(`  json (baseline)     ${sizes[0]} bytes, write ${jw.toFixed(1)} µs, read ${jr.toFixed(1)} µs`);
  console.log(`  structured-clone    ${sizes[1]} bytes, write ${cw.toFixed(1)} µs (x${(jw / cw).toFixed(2)}), read ${cr.toFixed(1)} µs (x${(jr / cr).toFixed(2)})`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
