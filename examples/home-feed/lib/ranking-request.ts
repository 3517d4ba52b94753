import type { HomeFeedSettings } from './home-feed-settings';
import { pinKey, popularity, type IndexView, type PinState } from './pin-index';
import type { UserFeatures } from './user-features';
import type { Candidate } from './candidate-retrieval';
import { decay } from './vector';

/** Matches the model manifest (examples/home-feed/model/ranker/manifest.json). */
export const MODEL_SEQUENCE_LENGTH = 16;
export const MODEL_EMBEDDING_DIM = 32;
const ACTION_IDS: Record<string, number> = { impression: 1, click: 2, closeup: 3, save: 4, hide: 5, share: 6 };

/** A candidate with what the model and the blender need. */
export interface ScoredCandidateInput extends Candidate {
  readonly embedding: number[];
  /** The manifest's `candidate_features`: log1p_age_hours, save_rate, hide_rate, log1p_engagements. */
  readonly features: [number, number, number, number];
  readonly labels: string[];
  /** Decayed weighted engagement, for the popularity blend. */
  readonly popularity: number;
}

/**
 * One user's scoring request as plain values named after the model's inputs
 * (user tensors once, candidates as rows), the shape the `score` operator
 * turns into tensors with the manifest.
 */
export interface RankingRequest {
  readonly seq_actions: number[];
  readonly seq_embeddings: number[][];
  readonly seq_age_hours: number[];
  readonly interest: number[];
  readonly hide_embedding: number[];
  readonly candidates: ScoredCandidateInput[];
}

const SAVE_PRIOR = 0.03;
const HIDE_PRIOR = 0.03;
const PRIOR_WEIGHT = 20;

/**
 * Builds the model inputs for a user and their candidates (pins missing from the index are dropped).
 *
 * Every list of numbers here is a packed array of doubles or of small integers, as `map`, `push`
 * and JSON.parse make them: the score step reads them all at one site, and once that site has
 * seen more than four kinds of array (holey ones from `fill`, the pointer arrays V8's deserializer
 * makes) V8 boxes every double it reads there, a heap number per value (an allocation profile of
 * the flagship at 5,000 events/s: 10 % of its bytes).
 */
export function buildRankingRequest(f: UserFeatures, candidates: readonly Candidate[], view: IndexView, s: HomeFeedSettings, now: number): RankingRequest {
  const D = MODEL_EMBEDDING_DIM;
  const seqActions: number[] = [];
  const seqEmbeddings: number[][] = [];
  const seqAge: number[] = [];
  for (const token of f.sequence) {
    if (seqActions.length >= MODEL_SEQUENCE_LENGTH) break;
    const pin = view.get<PinState>(pinKey(token.pinId));
    if (!pin) continue;
    seqActions.push(ACTION_IDS[token.action] ?? 1);
    seqEmbeddings.push(pin.embedding);
    seqAge.push(Math.max(0, now - token.t) / 3_600_000);
  }
  while (seqActions.length < MODEL_SEQUENCE_LENGTH) {
    seqActions.push(0);
    seqEmbeddings.push(Array.from({ length: D }, () => 0));
    seqAge.push(0);
  }
  const interest = f.interestShort.map((v, i) => v + 0.5 * f.interestLong[i]);
  const rows: ScoredCandidateInput[] = [];
  for (const c of candidates) {
    const pin = view.get<PinState>(pinKey(c.pinId));
    if (!pin) continue;
    const { features, popularity: pop } = pinFeatures(pin, now, s);
    rows.push({ pinId: c.pinId, source: c.source, embedding: pin.embedding, features, labels: pin.labels, popularity: pop });
  }
  return { seq_actions: seqActions, seq_embeddings: seqEmbeddings, seq_age_hours: seqAge, interest, hide_embedding: f.hide.map((v) => v), candidates: rows };
}

interface PinFeatureCache {
  readonly updatedAt: number;
  readonly now: number;
  readonly features: [number, number, number, number];
  readonly popularity: number;
}
// Pin features change slowly and every user's update reads the same popular
// pins: reuse them for a minute of event time unless the pin changed. Keyed by
// the state object, so a store that hands out fresh objects simply misses.
const featureCache = new WeakMap<PinState, PinFeatureCache>();
const FEATURE_REUSE_MS = 60_000;

/** The manifest's candidate features and the decayed popularity of a pin at `now`. */
export function pinFeatures(pin: PinState, now: number, s: HomeFeedSettings): { features: [number, number, number, number]; popularity: number } {
  const cached = featureCache.get(pin);
  if (cached && cached.updatedAt === pin.updatedAt && Math.abs(now - cached.now) < FEATURE_REUSE_MS) return cached;
  const age = decay(Math.max(0, now - pin.updatedAt), s.pinHalfLife);
  const counts = pin.counts;
  const impressions = (counts.impression ?? 0) * age;
  const saves = (counts.save ?? 0) * age;
  const hides = (counts.hide ?? 0) * age;
  const engaged = ((counts.click ?? 0) + (counts.closeup ?? 0) + (counts.save ?? 0) + (counts.share ?? 0)) * age;
  const entry: PinFeatureCache = {
    updatedAt: pin.updatedAt, now,
    features: [
      Math.log1p(Math.max(0, now - pin.createdAt) / 3_600_000),
      (saves + SAVE_PRIOR * PRIOR_WEIGHT) / (impressions + PRIOR_WEIGHT),
      (hides + HIDE_PRIOR * PRIOR_WEIGHT) / (impressions + PRIOR_WEIGHT),
      Math.log1p(engaged),
    ],
    popularity: popularity(pin) * age,
  };
  featureCache.set(pin, entry);
  return entry;
}
