/*
 * Why a global store's read cache leaves arrays of numbers unfrozen: the score step builds its
 * request tensors from candidate rows read from the global store (the flagship's pin
 * embeddings and features). V8 stores a frozen array's numbers boxed, a heap object each, so
 * reading them costs more; and a step that sees both kinds (frozen pin embeddings beside the
 * arrays it computed itself) runs its loops polymorphic. Measures `buildRequestTensors` on
 * 300-row requests (32-float embeddings, 8 features), rows frozen (the old rule, baseline) and
 * unfrozen (the rule now), each round in a fresh process (the JIT of a process that saw both
 * kinds is slow on both), rounds alternating.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/frozen-number-rows.js [--requests 2000] [--rounds 5]
 */
import { execFileSync } from 'node:child_process';
import { buildRequestTensors } from '../operators/record-tensors';
import type { ModelManifest } from '../core/scoring/model-manifest';
import { integerOption } from '../runtime/cli/option-parsers';
import { parseScriptOptions, scriptCommand } from '../test/helpers/script-options';
import { median } from '../core/percentile';

const options = scriptCommand('dist/bench/frozen-number-rows.js', 'request tensors built from frozen against unfrozen number arrays')
  .option('--requests <n>', 'requests per round', integerOption('--requests', 1), 2000)
  .option('--rounds <n>', 'rounds of each kind, alternating', integerOption('--rounds', 1), 5)
  .option('--child <kind>', 'internal: run one round of frozen or unfrozen rows and print its rate');
const opts = parseScriptOptions<{ requests: number; rounds: number; child?: string }>(options);

const manifest = {
  inputs: [
    { name: 'interest', dtype: 'float32', dims: ['groups', 32] },
    { name: 'candidates', dtype: 'float32', dims: ['rows', 32] },
    { name: 'candidate_features', dtype: 'float32', dims: ['rows', 8] },
  ],
  batching: { rowDim: 'rows', groupDim: 'groups' },
} as unknown as ModelManifest;

/** A request as retrieval builds it: pin rows as read from the store, the user's interest computed. */
function request(frozen: boolean, seed: number): Record<string, unknown> {
  const rows = Array.from({ length: 300 }, (_, i) => {
    // Parsed like a store value: the arrays are what JSON.parse makes.
    const pin = JSON.parse(JSON.stringify({ embedding: Array.from({ length: 32 }, (_, d) => Math.sin(seed + i * 32 + d)) })) as { embedding: number[] };
    return frozen ? Object.freeze(pin.embedding) : pin.embedding;
  });
  const features = rows.map((_, i) => Array.from({ length: 8 }, (_, d) => Math.cos(seed + i + d)));
  return { interest: Array.from({ length: 32 }, (_, d) => d / 32), candidates: rows, candidate_features: features };
}

function rate(frozen: boolean): number {
  const requests = Array.from({ length: 20 }, (_, i) => request(frozen, i));
  for (let i = 0; i < opts.requests / 4; i++) buildRequestTensors(manifest, requests[i % requests.length]);
  const started = process.hrtime.bigint();
  for (let i = 0; i < opts.requests; i++) buildRequestTensors(manifest, requests[i % requests.length]);
  return opts.requests / (Number(process.hrtime.bigint() - started) / 1e9);
}

/** One round in a fresh process: the JIT sees one kind of rows only, as a process would. */
function round(frozen: boolean): number {
  const out = execFileSync(process.execPath, [__filename, '--requests', String(opts.requests), '--child', frozen ? 'frozen' : 'unfrozen'], { encoding: 'utf8' });
  return Number(out.trim());
}

if (opts.child !== undefined) {
  process.stdout.write(`${rate(opts.child === 'frozen')}\n`);
} else {
  const runs: Record<'frozen' | 'unfrozen', number[]> = { frozen: [], unfrozen: [] };
  for (let r = 0; r < opts.rounds; r++) {
    runs.frozen.push(round(true));
    runs.unfrozen.push(round(false));
  }
  const frozen = median(runs.frozen);
  const unfrozen = median(runs.unfrozen);
  console.log(`requests of 300 rows (32 + 8 floats each), ${opts.requests} per round after a quarter as warm-up, each round a fresh process, median of ${opts.rounds} alternating rounds`);
  console.log(`rows frozen (baseline)  ${Math.round(frozen).toLocaleString('en')} requests/s`);
  console.log(`rows unfrozen           ${Math.round(unfrozen).toLocaleString('en')} requests/s  x${(unfrozen / frozen).toFixed(2)} vs frozen`);
  console.log(`rounds, requests/s: frozen ${runs.frozen.map(Math.round).join(' ')}; unfrozen ${runs.unfrozen.map(Math.round).join(' ')}`);
}
