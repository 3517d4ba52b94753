import * as path from 'node:path';
import type { EngagementEvent, RecommendationEvent } from './generate/home-feed-events';
import { HomeFeedGenerator } from './generate/home-feed-generator';
import type { GeneratorConfig } from './generate/generator-config';
import type { ScoringService } from '../../core/scoring/scoring-service';
import { ScoringPool } from '../../runtime/scoring/scoring-pool';
import { loadModelManifest, type ModelManifest } from '../../core/scoring/model-manifest';
import { headScores } from '../../operators/record-tensors';
import type { TensorData } from '../../core/scoring/scoring-service';
import { HomeFeedRecommender, mapView, type RankingScorer, type RecommenderStats, type UpdateTrigger } from './lib/home-feed-recommender';
import { DEFAULT_HOME_FEED_SETTINGS, type HomeFeedSettings } from './lib/home-feed-settings';
import { MODEL_EMBEDDING_DIM, type RankingRequest } from './lib/ranking-request';

/** The shipped ranking model's folder. */
export const RANKER_DIR = path.resolve(__dirname, '..', '..', '..', 'examples', 'home-feed', 'model', 'ranker');

/** A scorer that sends each request through a scoring service (user once, candidates as rows). */
export function serviceScorer(service: ScoringService, manifest: ModelManifest): RankingScorer {
  return async (request: RankingRequest) => {
    const inputs = rankingTensors(manifest, request);
    const result = await service.score({ model: manifest.name, inputs });
    const { utility } = headScores(manifest, result.outputs);
    return { modelVersion: `${manifest.name}@${result.modelVersion}`, utility: utility ?? [] };
  };
}

/**
 * The request's tensors, written straight into typed arrays (the generic
 * `buildRequestTensors` walks nested lists value by value, which dominated a
 * replay's profile); checked against the manifest's fixed sizes.
 */
export function rankingTensors(manifest: ModelManifest, request: RankingRequest): Record<string, TensorData> {
  const n = request.candidates.length;
  const D = MODEL_EMBEDDING_DIM;
  const N = request.seq_actions.length;
  const seq = new Float32Array(N * D);
  request.seq_embeddings.forEach((e, i) => seq.set(e, i * D));
  const candidates = new Float32Array(n * D);
  const features = new Float32Array(n * 4);
  request.candidates.forEach((c, i) => {
    candidates.set(c.embedding, i * D);
    features.set(c.features, i * 4);
  });
  const inputs: Record<string, TensorData> = {
    seq_actions: { type: 'int64', dims: [1, N], data: BigInt64Array.from(request.seq_actions, (v) => BigInt(v)) },
    seq_embeddings: { type: 'float32', dims: [1, N, D], data: seq },
    seq_age_hours: { type: 'float32', dims: [1, N], data: Float32Array.from(request.seq_age_hours) },
    interest: { type: 'float32', dims: [1, D], data: Float32Array.from(request.interest) },
    hide_embedding: { type: 'float32', dims: [1, D], data: Float32Array.from(request.hide_embedding) },
    candidates: { type: 'float32', dims: [n, D], data: candidates },
    candidate_features: { type: 'float32', dims: [n, 4], data: features },
    candidate_user: { type: 'int64', dims: [n], data: new BigInt64Array(n) },
  };
  for (const spec of manifest.inputs) {
    const t = inputs[spec.name];
    if (!t) throw new Error(`the ranking model wants input '${spec.name}', which the home-feed request does not build`);
    spec.dims.forEach((d, i) => {
      if (typeof d === 'number' && t.dims[i] !== d) throw new Error(`input '${spec.name}' dim ${i} is ${t.dims[i]}, the manifest says ${d}`);
    });
  }
  return inputs;
}

/** Starts a local scoring pool with the shipped model; close it when done. */
export async function startRankerPool(workers = 1): Promise<{ pool: ScoringPool; scorer: RankingScorer }> {
  const { manifest } = loadModelManifest(RANKER_DIR);
  const pool = await ScoringPool.start({ models: [RANKER_DIR], local: { workers, providers: ['cpu'], intraOpThreads: 1 }, log: () => undefined });
  return { pool, scorer: serviceScorer(pool, manifest) };
}

export interface ReplayOptions {
  readonly generator: Partial<GeneratorConfig>;
  readonly scorer: RankingScorer;
  readonly settings?: HomeFeedSettings;
  /** Per-user debounce of positive actions, event time (default 2 s). */
  readonly debounceMs?: number;
  /** At most one fresh-content update per user per this interval (default 30 min). */
  readonly newPinIntervalMs?: number;
  readonly onProgress?: (done: number, stats: RecommenderStats) => void;
}

export interface ReplayResult {
  readonly engagements: EngagementEvent[];
  readonly holdout: EngagementEvent[];
  readonly recommendations: RecommendationEvent[];
  readonly stats: RecommenderStats;
  /** Input events processed (images and training engagements). */
  events: number;
}

/**
 * Replays a generated stream through the home-feed logic in event-time
 * order, in one process: the same update semantics as the topology (debounced
 * positive actions, immediate hides, throttled fresh-content routing) without
 * Kafka, so quality can be measured on its own and compared with the
 * topology's output on the same seed.
 */
export async function replayHomeFeed(options: ReplayOptions): Promise<ReplayResult> {
  const settings = options.settings ?? DEFAULT_HOME_FEED_SETTINGS;
  const debounce = options.debounceMs ?? 2000;
  const newPinInterval = options.newPinIntervalMs ?? 30 * 60_000;
  const recommender = new HomeFeedRecommender(mapView(), mapView(), options.scorer, settings);
  const due = new Map<string, { at: number; trigger: UpdateTrigger }>();
  const lastFresh = new Map<string, number>();
  const result: ReplayResult = { engagements: [], holdout: [], recommendations: [], stats: recommender.stats, events: 0 };

  const fire = async (until: number): Promise<void> => {
    const ready = [...due].filter(([, d]) => d.at <= until).sort((a, b) => a[1].at - b[1].at || (a[0] < b[0] ? -1 : 1));
    for (const [userId] of ready) due.delete(userId);
    const updates = await Promise.all(ready.map(([userId, d]) => recommender.recompute(userId, d.at, d.trigger, Date.now())));
    for (const u of updates) if (u) result.recommendations.push(u);
  };
  for (const event of new HomeFeedGenerator(options.generator).events()) {
    if (event.kind === 'holdout') {
      result.holdout.push(event.value);
      continue;
    }
    await fire(event.timestamp);
    result.events++;
    if (event.kind === 'image') {
      for (const userId of recommender.onImage(event.value)) {
        if ((lastFresh.get(userId) ?? -Infinity) > event.timestamp - newPinInterval || due.has(userId)) continue;
        lastFresh.set(userId, event.timestamp);
        due.set(userId, { at: event.timestamp + debounce, trigger: 'new_pin' });
      }
    } else {
      result.engagements.push(event.value);
      const trigger = recommender.onEngagement(event.value);
      if (trigger === 'hide') {
        due.delete(event.key);
        const update = await recommender.recompute(event.key, event.timestamp, 'hide', Date.now());
        if (update) result.recommendations.push(update);
      } else if (trigger === 'engagement') {
        due.set(event.key, { at: event.timestamp + debounce, trigger });
      }
    }
    if (options.onProgress && result.events % 5000 === 0) options.onProgress(result.events, recommender.stats);
  }
  await fire(Infinity);
  return result;
}
