import type { ImageEvent } from '../generate/home-feed-events';
import { PinIndex, pinKey, type EngagementFacts, type PinState } from './pin-index';

/**
 * What the index needs of an engagement: the pin, the action and its time,
 * the user (followers per label), and the user's previous positive pins (for
 * co-engagement), which only the user's own task knows.
 */
export interface IndexedEngagement extends EngagementFacts {
  readonly previous: readonly string[];
}

/**
 * Engagements one record carries at most: a user task's batch is split into
 * records of this many (about 100 bytes each in structured clone), far below the
 * broker's 1 MB record limit.
 */
export const MAX_ENGAGEMENTS_PER_UPDATE = 500;

/**
 * One change to the pin index, as it travels from the step that sees the
 * event to the one task that owns the index (key {@link PIN_INDEX_KEY}):
 * a pin's image, or the engagements of one batch of a user task, in their
 * order. One record per batch, not per engagement: the index task's input
 * was one record per engagement, and its repartition hop (encode, produce,
 * fetch, decode, align) cost as much as the index's own work.
 */
export type PinIndexUpdate =
  | { readonly kind: 'image'; readonly image: ImageEvent }
  | { readonly kind: 'engagements'; readonly engagements: readonly IndexedEngagement[] };

/**
 * The key every pin-index update is sent under. The index's lists (newest
 * per label and category, popularity, fresh pins, followers) each aggregate
 * over all pins and users, so one task keeps them: that work is small list
 * updates, while retrieval and scoring, the cost of the flagship, run in the
 * tasks of the users, on every partition.
 */
export const PIN_INDEX_KEY = 'pin-index';

/** True for an update (a record of the `pin-index` pipeline) the index step understands. */
export function isPinIndexUpdate(value: unknown): value is PinIndexUpdate {
  const v = value as Partial<Record<string, unknown>> | null;
  return !!v && ((v.kind === 'image' && isImage(v.image)) || (v.kind === 'engagements' && Array.isArray(v.engagements) && v.engagements.every(isEngagement)));
}

function isEngagement(value: unknown): value is IndexedEngagement {
  const e = value as Partial<IndexedEngagement>;
  return hasPinId(value) && typeof e.userId === 'string' && typeof e.action === 'string' && typeof e.eventTime === 'number' && Array.isArray(e.previous);
}

// The fields the index reads before it checks the rest: anything else is the record's failure, not the batch's
// (the config fuzzer's `image: [1]` failed the whole step).
function hasPinId(value: unknown): value is { pinId: string } {
  return typeof value === 'object' && value !== null && typeof (value as { pinId?: unknown }).pinId === 'string';
}

function isImage(value: unknown): value is ImageEvent {
  const image = value as Partial<ImageEvent>;
  return hasPinId(value) && typeof image.category === 'string' && Array.isArray(image.labels) && image.labels.every((l) => typeof l === 'string');
}

/**
 * Keys applying a batch of updates reads, in two rounds: `first` for every
 * update; `second` once the first round is loaded, for engagements on pins
 * known by then (in the index or added by an image of the same batch),
 * whose category and labels name more lists.
 */
export function pinIndexKeys(updates: readonly PinIndexUpdate[]): { first: string[]; second: (get: (key: string) => PinState | undefined) => string[] } {
  const images = new Map<string, ImageEvent>();
  const first: string[] = [];
  for (const u of updates) {
    if (u.kind === 'image') {
      images.set(u.image.pinId, u.image);
      first.push(...PinIndex.keysForImage(u.image));
    } else {
      for (const e of u.engagements) first.push(...PinIndex.keysForEngagement(e, e.previous));
    }
  }
  const second = (get: (key: string) => PinState | undefined): string[] => updates.flatMap((u) => {
    if (u.kind !== 'engagements') return [];
    return u.engagements.flatMap((e) => {
      const pin = get(pinKey(e.pinId)) ?? images.get(e.pinId);
      return pin ? PinIndex.keysForPin(pin) : [];
    });
  });
  return { first, second };
}
