/**
 * TypeScript shapes of the flagship's three Avro records (schemas/*.avsc).
 * Field names and meanings are the schemas'; the docs live there.
 */

/** An engagement's action, as the `Action` enum of schemas/engagement.avsc. */
export type EngagementAction = 'impression' | 'click' | 'closeup' | 'save' | 'hide' | 'share' | 'unknown';

/** Actions that say the user liked the pin: the targets of evaluation and the sources of interest. */
export const POSITIVE_ACTIONS: ReadonlySet<EngagementAction> = new Set(['click', 'closeup', 'save', 'share']);

/** A value of schemas/engagement.avsc (`dev.tributary.homefeed.Engagement`). */
export interface EngagementEvent {
  eventId: string;
  userId: string;
  pinId: string;
  action: EngagementAction;
  eventTime: number;
  surface: string;
  dwellMs: number;
  attributes: Record<string, string>;
}

/** A value of schemas/image.avsc (`dev.tributary.homefeed.Image`). */
export interface ImageEvent {
  pinId: string;
  creatorId: string;
  createdAt: number;
  category: string;
  labels: string[];
  /** 32 float32 values, L2-normalised. */
  embedding: number[];
  boardId: string | null;
}

/** One item of a recommendation, best first. */
export interface RecommendedItem {
  pinId: string;
  score: number;
  source: string;
}

/** A value of schemas/recommendation.avsc (`dev.tributary.homefeed.Recommendation`). */
export interface RecommendationEvent {
  userId: string;
  version: number;
  generatedAt: number;
  eventTime: number;
  trigger: string;
  modelVersion: string;
  items: RecommendedItem[];
  contentHash: string;
}
