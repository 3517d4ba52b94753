import { POSITIVE_ACTIONS, type EngagementEvent } from '../generate/home-feed-events';
import type { HomeFeedSettings } from './home-feed-settings';
import { decay, scaleAdd } from './vector';

/** One entry of the user's action sequence, newest first. */
export interface SequenceToken {
  readonly pinId: string;
  readonly action: string;
  readonly t: number;
}

/**
 * Everything the recommender keeps per user, as one JSON value under the
 * user's key: decayed action counters (1 h / 1 d / 7 d), short- and long-term
 * interest embeddings and a hide embedding (decayed weighted sums), label
 * affinities, the last-N sequence, hidden/saved pins (with expiry), recently
 * shown pins, and the output's version and last emitted top.
 */
export interface UserFeatures {
  updatedAt: number;
  counts: Record<string, number[]>;
  interestShort: number[];
  interestLong: number[];
  hide: number[];
  labels: Record<string, number>;
  /** Category affinities (decayed like labels). */
  categories: Record<string, number>;
  sequence: SequenceToken[];
  /** pinId → expiry time: hidden or saved pins never come back before it. */
  closed: Record<string, number>;
  /** pinId → expiry time: pins shown recently. */
  shown: Record<string, number>;
  version: number;
  lastTop: string[];
  lastHash: string;
  /**
   * No entry of `closed` or `shown` expires before this time, so an update scans them only from
   * then on (the scan ran per engagement over every shown pin: 1.3 s of 46 s busy at 5,000
   * events/s). Absent in features stored before it was kept: the next update scans.
   */
  nextExpiry?: number;
}

/** `nextExpiry` when nothing is due: JSON has no Infinity. */
const NEVER = Number.MAX_SAFE_INTEGER;

/** How much an action says about liking the pin's content (embedding and labels). */
const INTEREST_WEIGHT: Record<string, number> = { click: 0.6, closeup: 0.5, save: 1.0, share: 0.8 };
const MAX_LABELS = 30;

export function emptyUserFeatures(dim: number): UserFeatures {
  return {
    updatedAt: 0, counts: {}, interestShort: new Array<number>(dim).fill(0), interestLong: new Array<number>(dim).fill(0),
    hide: new Array<number>(dim).fill(0), labels: {}, categories: {}, sequence: [], closed: {}, shown: {}, version: 0, lastTop: [], lastHash: '',
    nextExpiry: NEVER,
  };
}

/** The pin content an engagement update needs (from the pin table). */
export interface PinContent {
  readonly embedding: readonly number[];
  readonly labels: readonly string[];
  readonly category: string;
}

/**
 * Applies one engagement to a user's features, in place. `pin` is the pin's
 * content when known (an engagement on an unknown pin still counts).
 */
export function updateUserFeatures(f: UserFeatures, event: EngagementEvent, pin: PinContent | undefined, s: HomeFeedSettings): void {
  const t = Math.max(f.updatedAt, event.eventTime);
  const elapsed = f.updatedAt === 0 ? 0 : t - f.updatedAt;
  const late = t - event.eventTime;
  for (const [action, totals] of Object.entries(f.counts)) {
    f.counts[action] = totals.map((v, i) => v * decay(elapsed, s.counterHalfLives[i]));
  }
  const totals = f.counts[event.action] ?? s.counterHalfLives.map(() => 0);
  f.counts[event.action] = totals.map((v, i) => v + decay(late, s.counterHalfLives[i]));

  const shortF = decay(elapsed, s.shortInterestHalfLife);
  const longF = decay(elapsed, s.longInterestHalfLife);
  const weight = INTEREST_WEIGHT[event.action] ?? 0;
  if (pin && weight > 0) {
    scaleAdd(f.interestShort, shortF, pin.embedding, weight * decay(late, s.shortInterestHalfLife));
    scaleAdd(f.interestLong, longF, pin.embedding, weight * decay(late, s.longInterestHalfLife));
  } else {
    scaleAdd(f.interestShort, shortF, f.interestShort, 0);
    scaleAdd(f.interestLong, longF, f.interestLong, 0);
  }
  if (pin && event.action === 'hide') scaleAdd(f.hide, longF, pin.embedding, 1);
  else scaleAdd(f.hide, longF, f.hide, 0);

  for (const label of Object.keys(f.labels)) f.labels[label] *= longF;
  for (const c of Object.keys(f.categories)) f.categories[c] *= longF;
  if (pin && weight > 0) f.categories[pin.category] = (f.categories[pin.category] ?? 0) + weight;
  if (pin && event.action === 'hide') f.categories[pin.category] = (f.categories[pin.category] ?? 0) - 0.3;
  if (pin && weight > 0) for (const label of pin.labels) f.labels[label] = (f.labels[label] ?? 0) + weight;
  if (pin && event.action === 'hide') for (const label of pin.labels) f.labels[label] = (f.labels[label] ?? 0) - 0.5;
  const labelNames = Object.keys(f.labels);
  if (labelNames.length > MAX_LABELS) {
    labelNames.sort((a, b) => f.labels[b] - f.labels[a]);
    for (const label of labelNames.slice(MAX_LABELS)) delete f.labels[label];
  }

  if (event.action === 'impression') {
    keep(f, f.shown, event.pinId, event.eventTime + s.shownTtl);
  } else {
    f.sequence.unshift({ pinId: event.pinId, action: event.action, t: event.eventTime });
    f.sequence.sort((a, b) => b.t - a.t);
    if (f.sequence.length > s.sequenceLength) f.sequence.length = s.sequenceLength;
  }
  if (event.action === 'hide' || event.action === 'save') keep(f, f.closed, event.pinId, event.eventTime + s.closedTtl);
  if (f.nextExpiry === undefined || f.nextExpiry <= t) expire(f, t);
  f.updatedAt = t;
}

/** Pins of the user's recent positive actions, newest first (co-engagement seeds). */
export function recentPositivePins(f: UserFeatures, limit: number): string[] {
  const out: string[] = [];
  for (const token of f.sequence) {
    if (out.length >= limit) break;
    if (POSITIVE_ACTIONS.has(token.action as never) && !out.includes(token.pinId)) out.push(token.pinId);
  }
  return out;
}

/** The user's strongest labels, best first. */
export function topLabels(f: UserFeatures, limit: number): string[] {
  return Object.entries(f.labels).filter(([, w]) => w > 0).sort((a, b) => b[1] - a[1]).slice(0, limit).map(([l]) => l);
}

/** The user's strongest categories, best first. */
export function topCategories(f: UserFeatures, limit: number): string[] {
  return Object.entries(f.categories).filter(([, w]) => w > 0).sort((a, b) => b[1] - a[1]).slice(0, limit).map(([c]) => c);
}

/**
 * Whether a pin is hidden, saved or recently shown for this user at time t,
 * as a predicate: the filtered pins are collected once, so each question is
 * one set look-up (retrieval asks it for every candidate it considers,
 * hundreds per update).
 */
export function filteredPins(f: UserFeatures, t: number): (pinId: string) => boolean {
  const pins = new Set<string>();
  for (const map of [f.closed, f.shown]) for (const pinId in map) if (map[pinId] > t) pins.add(pinId);
  return pins.size === 0 ? () => false : (pinId) => pins.has(pinId);
}

/** Files a pin in `closed` or `shown` until `until`. */
function keep(f: UserFeatures, map: Record<string, number>, pinId: string, until: number): void {
  map[pinId] = until;
  if (f.nextExpiry !== undefined && until < f.nextExpiry) f.nextExpiry = until;
}

/** Drops the closed and shown pins expired at `t` and notes when the next one expires. */
function expire(f: UserFeatures, t: number): void {
  let next = NEVER;
  for (const map of [f.closed, f.shown]) {
    // No [key, value] array per entry: this runs over every shown and closed pin.
    for (const k in map) {
      if (map[k] <= t) delete map[k];
      else if (map[k] < next) next = map[k];
    }
  }
  f.nextExpiry = next;
}
