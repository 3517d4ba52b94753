/*
 * A store's write-back cache of bytes (the default, baseline) against its cache of objects
 * (`cache: objects`), on the flagship's access pattern: per batch one multi-get of its users'
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
import type { StoreCacheKind } from '../runtime/state/store-definition';
import { integerOption } from '../runtime/cli/option-parsers';
import { parseScriptOptions, scriptCommand } from '../test/helpers/script-options';
import { median } from '../core/percentile';
import { emptyUserFeatures, updateUserFeatures, type PinContent, type UserFeatures } from '../examples/home-feed/lib/user-features';
import { DEFAULT_HOME_FEED_SETTINGS } from '../examples/home-feed/lib/home-feed-settings';
import { MODEL_EMBEDDING_DIM } from '../examples/home-feed/lib/ranking-request';
import type { EngagementAction, EngagementEvent } from '../examples/home-feed/generate/home-feed-events';

const options = scriptCommand('dist/bench/state-object-cache.js', "a store's cache of bytes against its cache of objects, on per-user features updated in place")
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

async function round(cache: StoreCacheKind): Promise<{ perSecond: number; changelogPerCommit: number; bytes: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-object-cache-'));
  const stores = await TaskStores.open({ stateDir: dir, appId: 'bench', taskId: '0_0', stores: [{ name: 'users', changelog: true, cache }] });
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
  const runs: Record<'bytes' | 'objects', Array<{ perSecond: number; changelogPerCommit: number; bytes: number }>> = { bytes: [], objects: [] };
  // One round of each first, not counted: the first round of either kind also warms the JIT.
  await round('bytes');
  await round('objects');
  for (let r = 0; r < opts.rounds; r++) {
    runs.bytes.push(await round('bytes'));
    runs.objects.push(await round('objects'));
  }
  const bytes = median(runs.bytes.map((r) => r.perSecond));
  const objects = median(runs.objects.map((r) => r.perSecond));
  console.log(`records=${opts.records} users=${opts.users} batch=${opts.batch} commit every ${opts.commitEvery} batches; value ~${Math.round(runs.bytes[0].bytes)} bytes of JSON; median of ${opts.rounds} alternating rounds`);
  console.log(`cache: bytes (baseline)  ${Math.round(bytes).toLocaleString('en')} records/s  ${Math.round(runs.bytes[0].changelogPerCommit)} changelog records/commit`);
  console.log(`cache: objects           ${Math.round(objects).toLocaleString('en')} records/s  ${Math.round(runs.objects[0].changelogPerCommit)} changelog records/commit  x${(objects / bytes).toFixed(2)} vs bytes`);
  console.log(`rounds, records/s: bytes ${runs.bytes.map((r) => Math.round(r.perSecond)).join(' ')}; objects ${runs.objects.map((r) => Math.round(r.perSecond)).join(' ')}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
