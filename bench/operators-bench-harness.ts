/*
 * Shared by the operators-* benchmarks: runs one operator spec the way a task
 * does (create once, apply to each batch of 1,000 records as an Observable that
 * completes) over real RocksDB stores (TaskStores, write-back cache on, no
 * changelog so no broker is needed), flushing the stores every 10 batches like
 * a commit. Reports records/s and µs/record; the median of three runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { from, lastValueFrom, toArray } from 'rxjs';
import type { OperatorContext, OperatorSpec } from '../operators/operator-spec';
import type { StreamRecord } from '../core/stream-record';
import { TaskStores } from '../runtime/state/task-stores';
import { median } from '../core/percentile';

export const BATCH = 1000;
const COMMIT_EVERY = 10;


/** Deterministic skewed keys: a quarter of the records hit 1% of the keys, like engagement streams. */
export function makeKeys(records: number, keys: number): string[] {
  const out: string[] = [];
  let x = 12345;
  for (let i = 0; i < records; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out.push(`user-${i % 4 === 0 ? x % Math.max(1, Math.floor(keys / 100)) : x % keys}`);
  }
  return out;
}

export interface CaseResult {
  readonly name: string;
  readonly recordsPerSecond: number;
  readonly microsPerRecord: number;
  readonly outputs: number;
}

/** Runs `records` through a fresh instance of the operator on fresh stores; returns throughput. */
export async function runCase(
  name: string,
  spec: OperatorSpec,
  options: Record<string, unknown>,
  records: StreamRecord[],
  storeNames: string[],
): Promise<CaseResult> {
  const runs: Array<{ seconds: number; outputs: number }> = [];
  for (let r = 0; r < 3; r++) runs.push(await once(spec, options, records, storeNames));
  const seconds = median(runs.map((r) => r.seconds));
  const mid = runs.find((r) => r.seconds === seconds)!;
  return { name, recordsPerSecond: records.length / mid.seconds, microsPerRecord: (mid.seconds * 1e6) / records.length, outputs: mid.outputs };
}

async function once(spec: OperatorSpec, options: Record<string, unknown>, records: StreamRecord[], storeNames: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-ops-'));
  const stores = storeNames.length === 0 ? undefined : await TaskStores.open({
    stateDir: dir, appId: 'bench-ops', taskId: '0_0',
    stores: storeNames.map((n) => ({ name: n, changelog: false, cache: 'bytes', cacheEntries: 50_000 })),
  });
  let failures = 0;
  const context: OperatorContext = {
    stepId: 'bench', taskId: '0_0',
    keyValueStore: <K, V>(n: string) => stores!.keyValueStore<K, V>(n),
    streamTime: () => -Infinity,
    wallClock: () => 0,
    recordFailed: () => { failures++; },
    sideOutput: () => undefined,
  };
  const withDefaults: Record<string, unknown> = {};
  for (const [n, o] of Object.entries(spec.options)) if (o.default !== undefined) withDefaults[n] = o.default;
  const op = spec.create({ ...withDefaults, ...options }, context);
  let outputs = 0;
  const started = process.hrtime.bigint();
  for (let b = 0; b * BATCH < records.length; b++) {
    const out = await lastValueFrom(from(records.slice(b * BATCH, (b + 1) * BATCH)).pipe(op, toArray()));
    outputs += out.length;
    if (stores && (b + 1) % COMMIT_EVERY === 0) { await stores.flush(); await stores.commitApplied([]); }
  }
  if (stores) { await stores.flush(); await stores.commitApplied([]); }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await stores?.close();
  rmSync(dir, { recursive: true, force: true });
  if (failures > 0) throw new Error(`${failures} records failed in the benchmark: fix its input`);
  return { seconds, outputs };
}

/** Prints a table with cost ratios to the first row (the baseline). */
export function printTable(title: string, results: CaseResult[]): void {
  const base = results[0]!;
  console.log(`\n${title}`);
  console.log('case'.padEnd(44), 'records/s'.padStart(11), 'µs/record'.padStart(10), 'vs baseline'.padStart(12), 'outputs'.padStart(9));
  for (const r of results) {
    console.log(r.name.padEnd(44), Math.round(r.recordsPerSecond).toString().padStart(11), r.microsPerRecord.toFixed(2).padStart(10),
      `${(base.recordsPerSecond / r.recordsPerSecond).toFixed(2)}x cost`.padStart(12), String(r.outputs).padStart(9));
  }
}
