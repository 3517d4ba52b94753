/*
 * The score step's request tensors on requests shaped like the flagship's (300 candidates with
 * 32-float embeddings parsed from JSON and 4 features each, a 16-token sequence padded with
 * zero-filled arrays, small-integer actions), against a straight copy of the same numbers into
 * the same typed arrays (baseline: the floor, no checks, one loop per input). The ratio says
 * what walking and checking the values costs on top.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/request-tensors.js [--requests 200] [--rounds 5]
 */
import { buildRequestTensors } from '../operators/record-tensors';
import type { ModelManifest } from '../core/scoring/model-manifest';
import { integerOption } from '../runtime/cli/option-parsers';
import { parseScriptOptions, scriptCommand } from '../test/helpers/script-options';
import { median } from '../core/percentile';

const options = scriptCommand('dist/bench/request-tensors.js', "the score step's request tensors against a straight copy of the same numbers")
  .option('--requests <n>', 'distinct requests, each built 10 times per round', integerOption('--requests', 1), 200)
  .option('--rounds <n>', 'rounds of each, alternating', integerOption('--rounds', 1), 5);
const opts = parseScriptOptions<{ requests: number; rounds: number }>(options);

const D = 32;
const SEQ = 16;
const manifest = {
  inputs: [
    { name: 'seq_actions', dtype: 'int64', dims: ['groups', SEQ] },
    { name: 'seq_embeddings', dtype: 'float32', dims: ['groups', SEQ, D] },
    { name: 'seq_age_hours', dtype: 'float32', dims: ['groups', SEQ] },
    { name: 'interest', dtype: 'float32', dims: ['groups', D] },
    { name: 'hide_embedding', dtype: 'float32', dims: ['groups', D] },
    { name: 'candidates', dtype: 'float32', dims: ['rows', D] },
    { name: 'candidate_features', dtype: 'float32', dims: ['rows', 4] },
  ],
  batching: { rowDim: 'rows', groupDim: 'groups' },
} as unknown as ModelManifest;

// Pin embeddings as a global store hands them out: arrays JSON.parse made.
const pins = JSON.parse(JSON.stringify(Array.from({ length: 1000 }, (_, i) => Array.from({ length: D }, (_, d) => Math.sin(i * D + d))))) as number[][];

type Request = Record<string, unknown> & { candidates: number[][]; candidate_features: number[][]; seq_embeddings: number[][] };

/** As the flagship's retrieval builds it (lib/ranking-request.ts), then read through the score step's paths. */
function request(seed: number): Request {
  const seqEmbeddings: number[][] = [];
  const seqActions: number[] = [];
  for (let k = 0; k < 10; k++) {
    seqEmbeddings.push(pins[(seed + k) % pins.length]);
    seqActions.push(1 + (k % 5));
  }
  while (seqEmbeddings.length < SEQ) {
    seqEmbeddings.push(new Array<number>(D).fill(0));
    seqActions.push(0);
  }
  const candidates: number[][] = [];
  const features: number[][] = [];
  for (let i = 0; i < 300; i++) {
    candidates.push(pins[(seed * 7 + i * 13) % pins.length]);
    features.push([Math.log1p(i), 0.03 + i / 1e4, 0.02, Math.log1p(seed % 7)]);
  }
  return {
    seq_actions: seqActions, seq_embeddings: seqEmbeddings, seq_age_hours: Array.from({ length: SEQ }, (_, k) => k * 0.5),
    interest: pins[seed % pins.length].map((v) => v * 0.5), hide_embedding: new Array<number>(D).fill(0),
    candidates, candidate_features: features,
  };
}

function copyRows(rows: number[][], width: number): Float32Array {
  const out = new Float32Array(rows.length * width);
  let at = 0;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    for (let i = 0; i < width; i++) out[at++] = row[i];
  }
  return out;
}

function copyList(list: number[]): Float32Array {
  const out = new Float32Array(list.length);
  for (let i = 0; i < list.length; i++) out[i] = list[i];
  return out;
}

function copyInts(list: number[]): BigInt64Array {
  const out = new BigInt64Array(list.length);
  for (let i = 0; i < list.length; i++) out[i] = BigInt(list[i]);
  return out;
}

/** Baseline: the same typed arrays, each filled by a loop of its own that knows its shape and checks nothing. */
function straightCopy(r: Request): number {
  const tensors = [
    copyInts(r.seq_actions as number[]), copyRows(r.seq_embeddings, D), copyList(r.seq_age_hours as number[]),
    copyList(r.interest as number[]), copyList(r.hide_embedding as number[]),
    copyRows(r.candidates, D), copyRows(r.candidate_features, 4),
  ];
  return tensors.length;
}

function rate(requests: readonly Request[], build: (r: Request) => unknown): number {
  const started = process.hrtime.bigint();
  for (let k = 0; k < 10; k++) for (const r of requests) build(r);
  return (10 * requests.length) / (Number(process.hrtime.bigint() - started) / 1e9);
}

const requests = Array.from({ length: opts.requests }, (_, i) => request(i));
const built: number[] = [];
const copied: number[] = [];
rate(requests, straightCopy);
rate(requests, (r) => buildRequestTensors(manifest, r));
for (let round = 0; round < opts.rounds; round++) {
  copied.push(rate(requests, straightCopy));
  built.push(rate(requests, (r) => buildRequestTensors(manifest, r)));
}
const [c, b] = [median(copied), median(built)];
console.log(`${opts.requests} requests of 300 candidates, built 10 times per round, median of ${opts.rounds} alternating rounds`);
console.log(`straight copy (baseline)   ${Math.round(c).toLocaleString('en')} requests/s`);
console.log(`buildRequestTensors        ${Math.round(b).toLocaleString('en')} requests/s  x${(b / c).toFixed(2)} of the copy`);
