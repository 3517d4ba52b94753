import { POSITIVE_ACTIONS, type EngagementEvent, type ImageEvent, type RecommendationEvent } from '../generate/home-feed-events';
import { DEFAULT_HOME_FEED_SETTINGS, type HomeFeedSettings } from './home-feed-settings';
import { PinIndex, pinKey, type IndexView, type PinState } from './pin-index';
import { emptyUserFeatures, filteredPins, recentPositivePins, updateUserFeatures, type UserFeatures } from './user-features';
import { retrieveCandidates } from './candidate-retrieval';
import { buildRankingRequest, MODEL_EMBEDDING_DIM, type RankingRequest } from './ranking-request';
import { assembleFeed, contentHash, isMaterialChange } from './feed-assembly';

/** Scores one request: the model's utility per candidate row, in order. */
export type RankingScorer = (request: RankingRequest) => Promise<{ modelVersion: string; utility: number[] }>;

/** What made a user's feed due for recomputation. */
export type UpdateTrigger = 'engagement' | 'hide' | 'new_pin';

/** Counters of a recommender's work, for progress lines and benches. */
export interface RecommenderStats {
  images: number;
  engagements: number;
  updatesComputed: number;
  updatesEmitted: number;
  candidatesScored: number;
}

/**
 * The home-feed logic as one in-process object over a synchronous state view:
 * the pieces the topology's custom operators call, composed for replays,
 * benches and the reference evaluation. Feed features with `onImage` and
 * `onEngagement` (which say which users are due), then `recompute` a due user.
 */
export class HomeFeedRecommender {
  readonly stats: RecommenderStats = { images: 0, engagements: 0, updatesComputed: 0, updatesEmitted: 0, candidatesScored: 0 };
  private readonly index: PinIndex;

  constructor(
    private readonly pins: IndexView,
    private readonly users: IndexView,
    private readonly scorer: RankingScorer,
    readonly settings: HomeFeedSettings = DEFAULT_HOME_FEED_SETTINGS,
  ) {
    this.index = new PinIndex(pins, settings);
  }

  /** Adds a pin to the indexes; returns the users its labels route it to (fresh-content updates). */
  onImage(image: ImageEvent): string[] {
    this.stats.images++;
    this.index.addPin(image);
    return this.index.followers(image.labels);
  }

  /** Updates user and pin features; returns the trigger when the user's feed is now due. */
  onEngagement(event: EngagementEvent): UpdateTrigger | undefined {
    this.stats.engagements++;
    const f = this.users.get<UserFeatures>(event.userId) ?? emptyUserFeatures(MODEL_EMBEDDING_DIM);
    const previous = recentPositivePins(f, 3);
    const pin = this.pins.get<PinState>(pinKey(event.pinId));
    updateUserFeatures(f, event, pin, this.settings);
    this.index.recordEngagement(event, POSITIVE_ACTIONS.has(event.action) ? previous : []);
    this.users.put(event.userId, f);
    if (event.action === 'hide') return f.lastTop.includes(event.pinId) ? 'hide' : undefined;
    return POSITIVE_ACTIONS.has(event.action) ? 'engagement' : undefined;
  }

  /**
   * Retrieves, scores, filters and ranks a user's feed as of `now` (event
   * time); returns the update when it differs materially from the last one,
   * with the next version and the content hash.
   */
  async recompute(userId: string, now: number, trigger: UpdateTrigger, wallClock: number): Promise<RecommendationEvent | undefined> {
    const f = this.users.get<UserFeatures>(userId);
    if (!f) return undefined;
    const filtered = filteredPins(f, now);
    const candidates = retrieveCandidates(f, this.pins, this.settings, now, filtered);
    const request = buildRankingRequest(f, candidates, this.pins, this.settings, now);
    if (request.candidates.length === 0) return undefined;
    const { modelVersion, utility } = await this.scorer(request);
    this.stats.updatesComputed++;
    this.stats.candidatesScored += request.candidates.length;
    // Re-read: the user may have acted while the request was being scored.
    const latest = this.users.get<UserFeatures>(userId) ?? f;
    const stillFiltered = filteredPins(latest, now);
    const items = assembleFeed(request.candidates, utility, this.settings, stillFiltered);
    if (!isMaterialChange(latest.lastTop, items, this.settings, stillFiltered)) return undefined;
    latest.version += 1;
    latest.lastTop = items.map((i) => i.pinId);
    latest.lastHash = contentHash(items);
    this.users.put(userId, latest);
    this.stats.updatesEmitted++;
    return {
      userId, version: latest.version, generatedAt: wallClock, eventTime: now, trigger, modelVersion, items, contentHash: latest.lastHash,
    };
  }
}

/** An IndexView over a plain Map (replays and tests). */
export function mapView(map: Map<string, unknown> = new Map()): IndexView {
  return {
    get: <T>(key: string) => map.get(key) as T | undefined,
    put: (key, value) => { map.set(key, value); },
  };
}
