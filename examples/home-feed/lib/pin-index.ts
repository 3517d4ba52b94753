import type { EngagementEvent, ImageEvent } from '../generate/home-feed-events';
import type { HomeFeedSettings } from './home-feed-settings';
import { decay } from './vector';

/** The fields of an engagement the index reads. */
export type EngagementFacts = Pick<EngagementEvent, 'userId' | 'pinId' | 'action' | 'eventTime'>;

/** Decayed engagement counters and content of one pin, as stored under `pin:<id>`. */
export interface PinState {
  readonly pinId: string;
  readonly embedding: number[];
  readonly labels: string[];
  readonly category: string;
  readonly createdAt: number;
  /** Decayed counts per action as of `updatedAt`. */
  counts: Record<string, number>;
  updatedAt: number;
}

/**
 * Pins engaged positively by the same users just before or after a pin (summed action weights),
 * under `co:<id>`, apart from the pin's own entry: an engagement links its pin with the user's
 * previous ones, and when the links lived in each pin's entry, every link republished that
 * other pin whole, 32-float embedding included (about 1.4 KB of JSON, read back by every
 * process), up to four pin entries per engagement.
 */
export type CoEngagement = Record<string, number>;

/** A ranked entry of the `popular` list. */
export interface PopularEntry {
  readonly pinId: string;
  /** Decayed weighted engagement as of `at`. */
  readonly score: number;
  readonly at: number;
}

/**
 * Where the index keeps its entries: a synchronous view of a key-value
 * store (the operator prefetches a batch's keys with one multi-get) or a
 * plain map in a replay.
 */
export interface IndexView {
  get<T>(key: string): T | undefined;
  put(key: string, value: unknown): void;
}

/**
 * A new pin as its `new_pin` triggers carry it to the pin's followers (up to
 * 150 copies per image): what retrieval and ranking read of a pin nobody has
 * engaged with yet. The embedding travels as a Float32Array, which structured
 * clone writes as raw bytes; the whole entry with a list of doubles made the
 * fresh-content topic's records several times larger, and reading one back
 * allocated a heap number per value (the flagship at 5,000 events/s then fell
 * behind on its repartition topics: 52,000-78,000 records left unread
 * against 3,000-8,500 without the pin).
 */
export interface CarriedPin {
  readonly pinId: string;
  readonly category: string;
  readonly labels: readonly string[];
  readonly createdAt: number;
  readonly embedding: Float32Array;
}

export function carriedPin(pin: PinState): CarriedPin {
  return { pinId: pin.pinId, category: pin.category, labels: pin.labels, createdAt: pin.createdAt, embedding: Float32Array.from(pin.embedding) };
}

/** The entry of a carried pin, as the index has it before any engagement (the embedding a packed list of doubles again). */
export function pinFromCarried(carried: CarriedPin): PinState {
  return {
    pinId: carried.pinId, category: carried.category, labels: [...carried.labels], createdAt: carried.createdAt,
    embedding: Array.from(carried.embedding), counts: {}, updatedAt: carried.createdAt,
  };
}

/**
 * `view` with a pin the caller holds (a new pin carried by its trigger) where the view has no
 * entry for it yet: the global store receives the index's changes only after the index task's
 * commit.
 */
export function withPin(view: IndexView, pin: PinState): IndexView {
  const key = pinKey(pin.pinId);
  return {
    get: <T>(k: string): T | undefined => (k === key ? (view.get<T>(k) ?? (pin as T)) : view.get<T>(k)),
    put: (k, value) => view.put(k, value),
  };
}

const ACTION_WEIGHT: Record<string, number> = { click: 1, closeup: 1, save: 3, share: 3 };
const LABEL_LIST = 150;
const CATEGORY_LIST = 300;
const POPULAR_LIST = 300;
const CO_PER_PIN = 30;
const POPULAR_PER_CATEGORY = 150;
const FOLLOWERS = 50;

/** Keys the index reads for a pin's own update. */
export const pinKey = (pinId: string): string => `pin:${pinId}`;
export const coKey = (pinId: string): string => `co:${pinId}`;
export const labelKey = (label: string): string => `label:${label}`;
export const categoryKey = (category: string): string => `category:${category}`;
export const POPULAR_KEY = 'popular';
export const popularInKey = (category: string): string => `popular:${category}`;
export const followersKey = (label: string): string => `followers:${label}`;
export const freshKey = (label: string): string => `fresh:${label}`;

/** A fresh pin: its id and creation time. */
export type FreshEntry = readonly [pinId: string, createdAt: number];

/**
 * Fresh pins retrieval proposes per update, and so the length of each label's
 * fresh list: the newest N pins carrying any of a user's labels are among the
 * newest N of each of those labels.
 */
export const FRESH_CANDIDATES = 40;

/**
 * The candidate indexes built from image and engagement events: pin content
 * and decayed counters (`pin:<id>`), newest pins per label and per category,
 * a decayed-popularity list, the fresh pins, and item-to-item co-engagement.
 * Every entry is a plain JSON value under a string key.
 */
export class PinIndex {
  constructor(private readonly view: IndexView, private readonly settings: HomeFeedSettings) {}

  /** Keys `addPin` reads (prefetch them first). */
  static keysForImage(image: ImageEvent): string[] {
    return [pinKey(image.pinId), categoryKey(image.category), ...image.labels.map(freshKey), ...image.labels.map(labelKey), ...image.labels.map(followersKey)];
  }

  /** Keys `recordEngagement` reads. */
  static keysForEngagement(event: EngagementFacts, previousPositive: readonly string[]): string[] {
    return [pinKey(event.pinId), POPULAR_KEY, ...(previousPositive.length > 0 ? [coKey(event.pinId)] : []), ...previousPositive.flatMap((p) => [pinKey(p), coKey(p)])];
  }

  /** Keys `recordEngagement` reads once the pin's own entry is known (its category and labels). */
  static keysForPin(pin: Pick<PinState, 'category' | 'labels'>): string[] {
    return [popularInKey(pin.category), ...pin.labels.map(followersKey)];
  }

  /** Adds (or re-describes) an image's pin; returns the pin's entry. */
  addPin(image: ImageEvent): PinState {
    const existing = this.view.get<PinState>(pinKey(image.pinId));
    const state: PinState = {
      pinId: image.pinId, embedding: image.embedding, labels: image.labels, category: image.category,
      createdAt: image.createdAt, counts: existing?.counts ?? {}, updatedAt: existing?.updatedAt ?? image.createdAt,
    };
    this.view.put(pinKey(image.pinId), state);
    if (existing) return state;
    for (const label of image.labels) this.prepend(labelKey(label), image.pinId, LABEL_LIST);
    this.prepend(categoryKey(image.category), image.pinId, CATEGORY_LIST);
    // Fresh pins are kept per label (retrieval routes them by label), each list
    // bounded: one list of every pin of the fresh window was rewritten, published
    // and scanned whole, a pin look-up per entry, on every image and update.
    const since = image.createdAt - this.settings.freshWindow;
    for (const label of image.labels) {
      const list = this.view.get<FreshEntry[]>(freshKey(label)) ?? [];
      const kept = list.filter(([pinId, t]) => pinId !== image.pinId && t > since);
      this.view.put(freshKey(label), [[image.pinId, image.createdAt], ...kept].slice(0, FRESH_CANDIDATES));
    }
    return state;
  }

  /** Users who recently engaged positively with pins carrying these labels (fresh-content routing). */
  followers(labels: readonly string[]): string[] {
    const out = new Set<string>();
    for (const label of labels) for (const u of this.view.get<string[]>(followersKey(label)) ?? []) out.add(u);
    return [...out];
  }

  /**
   * Counts an engagement on its pin, updates the popularity list and links the
   * pin with the user's previous positive pins (co-engagement, both ways).
   */
  recordEngagement(event: EngagementFacts, previousPositive: readonly string[]): void {
    const pin = this.view.get<PinState>(pinKey(event.pinId));
    if (!pin) return;
    const h = this.settings.pinHalfLife;
    const t = Math.max(pin.updatedAt, event.eventTime);
    const f = decay(t - pin.updatedAt, h);
    for (const k of Object.keys(pin.counts)) pin.counts[k] *= f;
    pin.counts[event.action] = (pin.counts[event.action] ?? 0) + decay(t - event.eventTime, h);
    pin.updatedAt = t;
    const weight = ACTION_WEIGHT[event.action];
    if (weight) {
      let co: CoEngagement | undefined;
      for (const other of previousPositive) {
        if (other === event.pinId || !this.view.get<PinState>(pinKey(other))) continue;
        co ??= this.view.get<CoEngagement>(coKey(pin.pinId)) ?? {};
        link(co, other, weight);
        const otherCo = this.view.get<CoEngagement>(coKey(other)) ?? {};
        link(otherCo, pin.pinId, weight);
        this.view.put(coKey(other), otherCo);
      }
      if (co) this.view.put(coKey(pin.pinId), co);
      this.updatePopular(POPULAR_KEY, pin, t, POPULAR_LIST);
      this.updatePopular(popularInKey(pin.category), pin, t, POPULAR_PER_CATEGORY);
      for (const label of pin.labels) this.prepend(followersKey(label), event.userId, FOLLOWERS);
    }
    this.view.put(pinKey(pin.pinId), pin);
  }

  /**
   * Files the pin's new score in a popularity list, kept in order of popularity now. Every entry
   * decays by the same factor from one moment to the next, so that order never changes by
   * itself: the list stays sorted, and the pin's entry moves to its place, with no re-sort.
   * Sorting all 300 entries per engagement, in fresh arrays, was the index task's largest cost
   * (284 MB allocated in 25 s at 5,000 events/s).
   */
  private updatePopular(key: string, pin: PinState, t: number, cap: number): void {
    const list = this.view.get<PopularEntry[]>(key) ?? [];
    const h = this.settings.pinHalfLife;
    const entry: PopularEntry = { pinId: pin.pinId, score: popularity(pin), at: t };
    const rank = popularityRank(entry, h);
    const next: PopularEntry[] = [];
    let placed = false;
    for (const e of list) {
      if (next.length >= cap) break;
      if (e.pinId === pin.pinId) continue;
      // After entries of equal rank: the newcomer goes last among equals.
      if (!placed && popularityRank(e, h) < rank) {
        next.push(entry);
        placed = true;
        if (next.length >= cap) break;
      }
      next.push(e);
    }
    if (!placed && next.length < cap) next.push(entry);
    this.view.put(key, next);
  }

  private prepend(key: string, pinId: string, cap: number): void {
    const list = this.view.get<string[]>(key) ?? [];
    this.view.put(key, [pinId, ...list.filter((p) => p !== pinId)].slice(0, cap));
  }
}

/**
 * An entry's place in a popularity list, the same at every time: the log of its score decayed
 * back to time 0. Compared at any time after every entry's `at`, the decayed scores
 * `score * 2^-((t - at) / h)` order as these ranks do, since the factor `2^(-t / h)` is common to
 * all of them.
 */
export function popularityRank(e: PopularEntry, halfLifeMs: number): number {
  return Math.log(e.score) + (e.at / halfLifeMs) * Math.LN2;
}

/** Weighted decayed engagement of a pin as of its `updatedAt`. */
export function popularity(pin: PinState): number {
  let s = 0;
  for (const [action, w] of Object.entries(ACTION_WEIGHT)) s += w * (pin.counts[action] ?? 0);
  return s;
}

function link(co: Record<string, number>, other: string, weight: number): void {
  co[other] = (co[other] ?? 0) + weight;
  const keys = Object.keys(co);
  if (keys.length > CO_PER_PIN) {
    let weakest = keys[0];
    for (const k of keys) if (co[k] < co[weakest]) weakest = k;
    delete co[weakest];
  }
}
