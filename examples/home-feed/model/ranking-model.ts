import type { ModelManifest } from '../../../core/scoring/model-manifest';
import { OnnxGraphBuilder } from './internal/onnx-graph-builder';
import { SeededRandom } from './internal/seeded-random';

/** Length of the user's action sequence the model reads (last N actions). */
export const SEQUENCE_LENGTH = 16;
/** Size of pin embeddings (visual embeddings of the `image` topic). */
export const EMBEDDING_DIM = 32;
/** Action type ids of the `seq_actions` input; 0 pads a short sequence. */
export const ACTION_IDS = { pad: 0, impression: 1, click: 2, closeup: 3, save: 4, hide: 5, share: 6 } as const;
/** Order of the `candidate_features` columns. */
export const CANDIDATE_FEATURES = ['log1p_age_hours', 'save_rate', 'hide_rate', 'log1p_engagements'] as const;
/** Output heads, in the order of the model's logits. */
export const HEADS = ['click', 'save', 'closeup', 'hide'] as const;

const HIDDEN = 64;
/** How much each action type says about liking a similar pin (hide is negative). */
const ACTION_VALUE = [0, 0, 0.6, 0.5, 1.0, -1.0, 0.8];
/** Recency half-life of sequence tokens, in hours. */
const SEQUENCE_HALF_LIFE_HOURS = 24;
/**
 * The "wide" weights (features → head logits) set by hand so the untrained
 * model ranks sensibly: interest and positive sequence similarity raise
 * click/save/closeup, similarity to hidden pins raises hide. Rows: cos_interest,
 * cos_hide, seq_affinity, then CANDIDATE_FEATURES; columns: HEADS.
 */
const WIDE = [
  [2.5, 3.0, 2.0, -1.5],
  [-1.5, -2.0, -1.0, 3.5],
  [2.0, 2.5, 1.5, -1.5],
  [-0.1, -0.1, -0.1, 0.0],
  [1.0, 4.0, 1.0, -1.0],
  [-1.0, -1.0, -0.5, 5.0],
  [0.15, 0.1, 0.1, 0.0],
];
const BIAS = [-2.0, -3.0, -2.5, -3.5];

/** The generated model: ONNX bytes and the manifest that describes them. */
export interface GeneratedModel {
  readonly onnx: Uint8Array;
  readonly manifest: ModelManifest;
}

/**
 * Builds the flagship ranking model from a seed: user tensors once per
 * request, candidates gathered by index (`candidate_user`), a target-attention
 * pooling of the last N actions against each candidate, cosine features, and
 * an MLP ("deep", random from the seed) plus a hand-set linear part ("wide")
 * into four sigmoid heads. Untrained, but its scores move the right way.
 */
export function generateRankingModel(options: { seed?: number; version?: string } = {}): GeneratedModel {
  const seed = options.seed ?? 20251125;
  const version = options.version ?? '1';
  const rnd = new SeededRandom(seed);
  const D = EMBEDDING_DIM;
  const N = SEQUENCE_LENGTH;
  const A = ACTION_VALUE.length;
  const F = CANDIDATE_FEATURES.length;
  const H = HEADS.length;
  const g = new OnnxGraphBuilder();

  const seqActions = g.input('seq_actions', 'int64', ['users', N]);
  const seqEmb = g.input('seq_embeddings', 'float32', ['users', N, D]);
  const seqAge = g.input('seq_age_hours', 'float32', ['users', N]);
  const interest = g.input('interest', 'float32', ['users', D]);
  const hideEmb = g.input('hide_embedding', 'float32', ['users', D]);
  const cands = g.input('candidates', 'float32', ['candidates', D]);
  const candFeat = g.input('candidate_features', 'float32', ['candidates', F]);
  const candUser = g.input('candidate_user', 'int64', ['candidates']);

  const axisLast = g.ints('axis_last', [1], [-1]);
  const axis1 = g.ints('axis_1', [1], [1]);
  const eps = g.floats('eps', [], [1e-6]);
  const one = g.floats('one', [], [1]);
  const normalize = (x: string): string =>
    g.op('Div', [x, g.op('Sqrt', [g.op('Add', [g.op('ReduceSum', [g.op('Mul', [x, x]), axisLast], { keepdims: 1 }), eps])])]);
  const byUser = (x: string): string => g.op('Gather', [x, candUser], { axis: 0 });

  // Sequence tokens: pin embedding + action-type embedding; recency and padding as weights.
  const actionTable = g.floats('action_embedding', [A, D], rnd.normals(A * D, 0.1));
  const tokens = g.op('Add', [seqEmb, g.op('Gather', [actionTable, seqActions], { axis: 0 })]);
  const mask = g.op('Cast', [g.op('Greater', [seqActions, g.ints('zero', [], [0])])], { to: 1 });
  const decay = g.op('Exp', [g.op('Mul', [seqAge, g.floats('decay_rate', [], [-Math.LN2 / SEQUENCE_HALF_LIFE_HOURS])])]);
  const actionValue = g.op('Gather', [g.floats('action_value', [A], ACTION_VALUE), seqActions], { axis: 0 });

  // Target attention: each candidate attends over its user's tokens (TransAct-style fusion).
  const candN = normalize(cands);
  const simTok = g.op('ReduceSum', [g.op('Mul', [byUser(normalize(seqEmb)), g.op('Unsqueeze', [candN, axis1])]), axisLast], { keepdims: 0 });
  const maskC = byUser(mask);
  const padPenalty = g.op('Mul', [g.op('Sub', [maskC, one]), g.floats('pad_logit', [], [1e4])]);
  const attention = g.op('Softmax', [g.op('Add', [g.op('Mul', [simTok, g.floats('temperature', [], [4])]), padPenalty])], { axis: -1 });
  const pooled = g.op('ReduceSum', [g.op('Mul', [g.op('Unsqueeze', [attention, axisLast]), byUser(tokens)]), axis1], { keepdims: 0 });
  const tokenWeight = g.op('Mul', [maskC, byUser(decay)]);
  const seqAffinity = g.op('Div', [
    g.op('ReduceSum', [g.op('Mul', [g.op('Mul', [tokenWeight, byUser(actionValue)]), simTok]), axisLast], { keepdims: 1 }),
    g.op('Add', [g.op('ReduceSum', [tokenWeight, axisLast], { keepdims: 1 }), one]),
  ]);
  const cosine = (u: string): string => g.op('ReduceSum', [g.op('Mul', [byUser(normalize(u)), candN]), axisLast], { keepdims: 1 });
  const cosInterest = cosine(interest);
  const cosHide = cosine(hideEmb);

  const wideIn = g.op('Concat', [cosInterest, cosHide, seqAffinity, candFeat], { axis: 1 });
  const deepIn = g.op('Concat', [candN, pooled, g.op('Mul', [candN, pooled]), wideIn], { axis: 1 });
  const deepWidth = 3 * D + 3 + F;
  const w1 = g.floats('dense1_w', [deepWidth, HIDDEN], rnd.normals(deepWidth * HIDDEN, Math.sqrt(2 / deepWidth)));
  const b1 = g.floats('dense1_b', [HIDDEN], new Float32Array(HIDDEN));
  const hidden = g.op('Relu', [g.op('Add', [g.op('MatMul', [deepIn, w1]), b1])]);
  const w2 = g.floats('dense2_w', [HIDDEN, H], rnd.normals(HIDDEN * H, 0.05));
  const wide = g.floats('wide_w', [3 + F, H], WIDE.flat());
  const logits = g.op('Add', [g.op('Add', [g.op('MatMul', [hidden, w2]), g.op('MatMul', [wideIn, wide])]), g.floats('head_bias', [H], BIAS)]);
  const probs = g.op('Sigmoid', [logits]);
  HEADS.forEach((head, i) => {
    g.op('Gather', [probs, g.ints(`head_${head}`, [], [i])], { axis: 1 }, head);
    g.output(head, 'float32', ['candidates']);
  });

  const manifest: ModelManifest = {
    name: 'home-feed-ranker',
    version,
    file: 'model.onnx',
    description: `Flagship home-feed ranking model, generated from seed ${seed} by examples/home-feed/model/generate-ranking-model.ts`,
    inputs: [
      { name: 'seq_actions', dtype: 'int64', dims: ['users', N], description: 'action type id of each of the last N engagements, newest first; 0 pads', features: Object.keys(ACTION_IDS) },
      { name: 'seq_embeddings', dtype: 'float32', dims: ['users', N, D], description: 'embedding of the pin of each sequence action (zeros for padding)' },
      { name: 'seq_age_hours', dtype: 'float32', dims: ['users', N], description: 'age of each sequence action in hours at scoring time' },
      { name: 'interest', dtype: 'float32', dims: ['users', D], description: 'decayed positive-interest embedding of the user' },
      { name: 'hide_embedding', dtype: 'float32', dims: ['users', D], description: 'decayed embedding of pins the user hid' },
      { name: 'candidates', dtype: 'float32', dims: ['candidates', D], description: 'embedding of each candidate pin' },
      { name: 'candidate_features', dtype: 'float32', dims: ['candidates', F], description: 'per-candidate features', features: [...CANDIDATE_FEATURES] },
      { name: 'candidate_user', dtype: 'int64', dims: ['candidates'], description: 'row of the user tensors each candidate belongs to' },
    ],
    outputs: HEADS.map((head) => ({ name: head, dtype: 'float32' as const, dims: ['candidates'], description: `P(${head}) for each candidate` })),
    batching: { rowDim: 'candidates', groupDim: 'users', groupIndex: 'candidate_user' },
    heads: [...HEADS],
    utility: { weights: { click: 1, save: 3, closeup: 0.5, hide: -6 } },
  };
  const onnxBytes = g.build('home_feed_ranker', 17, { 'tributary.model.name': manifest.name, 'tributary.model.version': version, 'tributary.model.seed': String(seed) });
  return { onnx: onnxBytes, manifest };
}
