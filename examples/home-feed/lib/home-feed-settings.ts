/**
 * Tunables of the home-feed recommender, in one place so the topology can
 * override them and the README can cite them. Durations in milliseconds.
 */
export interface HomeFeedSettings {
  /** Half-lives of the per-user action counters (1 h / 1 d / 7 d). */
  readonly counterHalfLives: readonly number[];
  /** Half-life of the short-term interest embedding. */
  readonly shortInterestHalfLife: number;
  /** Half-life of the long-term interest and hide embeddings and label affinities. */
  readonly longInterestHalfLife: number;
  /** Half-life of pin engagement counters and popularity. */
  readonly pinHalfLife: number;
  /** Length of the user's action sequence kept (the model reads the first 16). */
  readonly sequenceLength: number;
  /** How long hidden and saved pins stay filtered. */
  readonly closedTtl: number;
  /** How long a shown (impressed) pin stays filtered. */
  readonly shownTtl: number;
  /** A pin younger than this is "fresh". */
  readonly freshWindow: number;
  /** Candidate budget per update (200–500 in tests). */
  readonly minCandidates: number;
  readonly maxCandidates: number;
  /** Length of the emitted list. */
  readonly topK: number;
  /** At most this many items share a label in the top 10 (diversity). */
  readonly maxPerLabelInTop10: number;
  /** Weight of the log-popularity prior blended with the model's utility. */
  readonly popularityBlend: number;
  /** Items of the top that must change (by position set) for an update to be material. */
  readonly materialTop: number;
}

export const DEFAULT_HOME_FEED_SETTINGS: HomeFeedSettings = {
  counterHalfLives: [3_600_000, 86_400_000, 7 * 86_400_000],
  shortInterestHalfLife: 6 * 3_600_000,
  longInterestHalfLife: 7 * 86_400_000,
  pinHalfLife: 12 * 3_600_000,
  sequenceLength: 32,
  closedTtl: 30 * 86_400_000,
  shownTtl: 3_600_000,
  freshWindow: 24 * 3_600_000,
  minCandidates: 200,
  maxCandidates: 400,
  topK: 25,
  maxPerLabelInTop10: 4,
  popularityBlend: 0.3,
  materialTop: 10,
};
