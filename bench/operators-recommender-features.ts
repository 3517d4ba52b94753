/*
 * Cost per record of the recommender aggregates over real RocksDB stores,
 * against a baseline run in the same process, the rolling aggregate-count (the
 * store round trip of a stateful operator with no feature work); a stateless
 * pass-through batch operator is printed for scale.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/operators-recommender-features.js [--records 20000] [--keys 5000]
 */
import { aggregateCount } from '../operators/aggregate-count';
import { aggregateDecayedCount } from '../operators/aggregate-decayed-count';
import { aggregateDecayedEmbedding } from '../operators/aggregate-decayed-embedding';
import { aggregateLastN } from '../operators/aggregate-last-n';
import { aggregateTtlSet } from '../operators/aggregate-ttl-set';
import { batchOperator } from '../operators/batch-operator';
import type { OperatorSpec } from '../operators/operator-spec';
import { emitOnChange } from '../operators/emit-on-change';
import { topK } from '../operators/top-k';
import type { StreamRecord } from '../core/stream-record';
import { makeKeys, printTable, runCase } from './operators-bench-harness';
import { integerOption } from '../runtime/cli/option-parsers';
import { parseScriptOptions, scriptCommand } from '../test/helpers/script-options';

const passThrough: OperatorSpec = {
  name: 'pass-through', summary: 'baseline', example: '', options: {},
  create: () => batchOperator(async (records) => records),
};

const ACTIONS = ['impression', 'click', 'closeup', 'save', 'hide', 'share'];

async function main(): Promise<void> {
  const { records: n, keys: keyCount } = parseScriptOptions<{ records: number; keys: number }>(scriptCommand('dist/bench/operators-recommender-features.js', 'recommender feature operators over real RocksDB stores: records/s (no services)')
    .option('--records <n>', 'input records', integerOption('--records', 1), 20_000)
    .option('--keys <n>', 'distinct keys', integerOption('--keys', 1), 5_000));
  const keys = makeKeys(n, keyCount);
  // 16 distinct candidate lists, shared between records to keep memory modest (ranking cost is the same).
  const lists = Array.from({ length: 16 }, (_, l) => Array.from({ length: 300 }, (_, c) => ({ pinId: `pin-${c}`, utility: Math.sin(l * 31 + c), label: `l${c % 12}` })));
  const records: StreamRecord[] = keys.map((key, i) => ({
    key,
    value: {
      pinId: `pin-${(i * 7919) % 20_000}`, action: ACTIONS[i % ACTIONS.length], surface: 'home',
      embedding: Array.from({ length: 32 }, (_, d) => Math.sin(i + d)),
      candidates: lists[i % lists.length],
    },
    timestamp: 1_000_000 + i * 50, headers: {},
  }));
  const results = [
    await runCase('baseline: aggregate-count', aggregateCount, { store: 's' }, records, ['s']),
    await runCase('(for scale) pass-through batch operator', passThrough, {}, records, []),
    await runCase('aggregate-decayed-count 3 half-lives x 6 actions', aggregateDecayedCount, { store: 's', halfLives: [3_600_000, 86_400_000, 604_800_000], by: 'value.action' }, records, ['s']),
    await runCase('aggregate-last-n n=100 with 2 attributes', aggregateLastN, { store: 's', n: 100, item: 'value.pinId', attributes: ['action', 'surface'] }, records, ['s']),
    await runCase('aggregate-decayed-embedding 32-d, 2 half-lives', aggregateDecayedEmbedding, { store: 's', vector: 'value.embedding', halfLives: [3_600_000, 604_800_000] }, records, ['s']),
    await runCase('aggregate-ttl-set ttl 30d, max 500', aggregateTtlSet, { store: 's', member: 'value.pinId', ttl: 30 * 86_400_000, maxSize: 500 }, records, ['s']),
    await runCase('top-k k=25 of 300 candidates, 3 per label', topK, { k: 25, items: 'value.candidates', itemScore: 'utility', groupBy: 'label', maxPerGroup: 3 }, records, []),
    await runCase('emit-on-change on the action', emitOnChange, { store: 's', compare: 'value.action' }, records, ['s']),
  ];
  printTable(`recommender features, ${n} records, batches of 1,000, RocksDB stores (node ${process.version})`, results);
}

main().catch((err) => { console.error(err); process.exitCode = 1; });
