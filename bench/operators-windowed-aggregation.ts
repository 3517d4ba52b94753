/*
 * Windowed aggregation throughput (records/s) over real RocksDB stores,
 * against a baseline run in the same process: the rolling aggregate-count
 * (one store entry per key, no windows). A stateless pass-through batch
 * operator (the batch mechanics alone) is printed for scale.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/operators-windowed-aggregation.js [--records 100000] [--keys 10000]
 *
 * Event times advance 1 ms per record with up to 200 ms of disorder; windows
 * are 10 s, so most records land in open windows and windows close steadily.
 */
import { aggregateCount } from '../operators/aggregate-count';
import { batchOperator } from '../operators/batch-operator';
import type { OperatorSpec } from '../operators/operator-spec';
import { windowHopping } from '../operators/window-hopping';
import { windowSession } from '../operators/window-session';
import { windowSliding } from '../operators/window-sliding';
import { windowTumbling } from '../operators/window-tumbling';
import type { StreamRecord } from '../core/stream-record';
import { makeKeys, printTable, runCase } from './operators-bench-harness';
import { integerOption } from '../runtime/cli/option-parsers';
import { parseScriptOptions, scriptCommand } from '../test/helpers/script-options';

const passThrough: OperatorSpec = {
  name: 'pass-through', summary: 'baseline', example: '', options: {},
  create: () => batchOperator(async (records) => records),
};

async function main(): Promise<void> {
  const { records: n, keys: keyCount } = parseScriptOptions<{ records: number; keys: number }>(scriptCommand('dist/bench/operators-windowed-aggregation.js', 'windowed aggregation operators over real RocksDB stores vs a rolling count: records/s (no services)')
    .option('--records <n>', 'input records', integerOption('--records', 1), 100_000)
    .option('--keys <n>', 'distinct keys', integerOption('--keys', 1), 10_000));
  const keys = makeKeys(n, keyCount);
  const records: StreamRecord[] = keys.map((key, i) => ({
    key, value: { amount: i % 7 }, timestamp: 1_000_000 + i - ((i * 7919) % 200), headers: {},
  }));
  const count = { fn: 'count' };
  const results = [
    await runCase('baseline: aggregate-count (rolling, no window)', aggregateCount, { store: 's' }, records, ['s']),
    await runCase('(for scale) pass-through batch operator', passThrough, {}, records, []),
    await runCase('window-tumbling 10s count, emit final', windowTumbling, { store: 's', size: 10_000, grace: 500, aggregate: count }, records, ['s']),
    await runCase('window-tumbling 10s sum, emit update', windowTumbling, { store: 's', size: 10_000, grace: 500, emit: 'update', aggregate: { fn: 'sum', field: 'value.amount' } }, records, ['s']),
    await runCase('window-hopping 10s/2s average, emit final', windowHopping, { store: 's', size: 10_000, advance: 2_000, grace: 500, aggregate: { fn: 'average', field: 'value.amount' } }, records, ['s']),
    await runCase('window-session gap 2s count, emit final', windowSession, { store: 's', gap: 2_000, grace: 500, aggregate: count }, records, ['s']),
    await runCase('window-sliding 2s count, emit final', windowSliding, { store: 's', size: 2_000, grace: 500, aggregate: count }, records, ['s']),
  ];
  printTable(`windowed aggregation, ${n} records, batches of 1,000, RocksDB stores (node ${process.version})`, results);
}

main().catch((err) => { console.error(err); process.exitCode = 1; });
