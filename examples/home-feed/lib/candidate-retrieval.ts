import type { HomeFeedSettings } from './home-feed-settings';
import { categoryKey, coKey, FRESH_CANDIDATES, freshKey, labelKey, pinKey, POPULAR_KEY, popularInKey, type CoEngagement, type FreshEntry, type IndexView, type PopularEntry } from './pin-index';
import { recentPositivePins, topCategories, topLabels, type UserFeatures } from './user-features';

/** A retrieved pin and the source that proposed it first. */
export interface Candidate {
  readonly pinId: string;
  readonly source: 'interest' | 'coengagement' | 'label' | 'fresh' | 'popular';
}

const SEED_PINS = 8;
const TOP_LABELS = 4;
const TOP_CATEGORIES = 3;

/** Index keys retrieval reads for a user (phase 1); the candidates' `pin:` keys are phase 2. */
export function retrievalKeys(f: UserFeatures): string[] {
  return [
    POPULAR_KEY,
    ...topLabels(f, TOP_LABELS).flatMap((label) => [labelKey(label), freshKey(label)]),
    ...topCategories(f, TOP_CATEGORIES).map(popularInKey),
    ...recentPositivePins(f, SEED_PINS).map(coKey),
    ...f.sequence.map((t) => pinKey(t.pinId)),
  ];
}

/**
 * Candidate retrieval for one user, from the indexes only (no scoring):
 * popular pins of the user's favourite categories (interest), pins co-engaged
 * with the user's recent positive pins, the newest pins of the user's top
 * labels, fresh pins carrying those labels, then global popularity until the
 * minimum is reached. Pins the user hid, saved or just saw are left out here
 * already, so the scoring budget goes to pins that can be shown. A new pin
 * whose arrival triggered the update (`newPin`) is proposed first, as fresh.
 */
export function retrieveCandidates(f: UserFeatures, view: IndexView, s: HomeFeedSettings, now: number, isFiltered: (pinId: string) => boolean, newPin?: string): Candidate[] {
  // Written with index loops and parallel arrays rather than slices, spreads and entry pairs:
  // retrieval runs per trigger over lists of hundreds, and was the flagship's largest allocator
  // (an allocation profile at 5,000 events/s). The result is the same, in the same order.
  const out: Candidate[] = [];
  const taken = new Set<string>();
  const add = (pinId: string, source: Candidate['source']): void => {
    if (out.length < s.maxCandidates && !taken.has(pinId) && !isFiltered(pinId)) {
      taken.add(pinId);
      out.push({ pinId, source });
    }
  };
  if (newPin !== undefined) add(newPin, 'fresh');
  const categories = topCategories(f, TOP_CATEGORIES);
  let totalWeight = 0;
  for (let i = 0; i < categories.length; i++) totalWeight += Math.max(0, f.categories[categories[i]]);
  totalWeight ||= 1;
  for (let i = 0; i < categories.length; i++) {
    const quota = Math.round(40 + 120 * (Math.max(0, f.categories[categories[i]]) / totalWeight));
    const popular = view.get<PopularEntry[]>(popularInKey(categories[i]));
    if (popular) for (let j = 0, n = Math.min(quota, popular.length); j < n; j++) add(popular[j].pinId, 'interest');
  }
  // Co-engaged pins by summed weight, heaviest first (ties in the order first met).
  const coIds: string[] = [];
  const coWeights: number[] = [];
  const coAt = new Map<string, number>();
  for (const seed of recentPositivePins(f, SEED_PINS)) {
    const links = view.get<CoEngagement>(coKey(seed));
    if (!links) continue;
    for (const other in links) {
      const at = coAt.get(other);
      if (at === undefined) {
        coAt.set(other, coIds.length);
        coIds.push(other);
        coWeights.push(0 + links[other]);
      } else {
        coWeights[at] += links[other];
      }
    }
  }
  const coOrder = largestFirst(coWeights);
  for (let k = 0, n = Math.min(80, coOrder.length); k < n; k++) add(coIds[coOrder[k]], 'coengagement');
  const labels = new Set(topLabels(f, TOP_LABELS));
  for (const label of labels) {
    const pins = view.get<string[]>(labelKey(label));
    if (pins) for (let j = 0, n = Math.min(25, pins.length); j < n; j++) add(pins[j], 'label');
  }
  const fresh = freshPins(view, labels, now - s.freshWindow);
  for (let j = 0; j < fresh.length; j++) add(fresh[j], 'fresh');
  const popular = view.get<PopularEntry[]>(POPULAR_KEY);
  if (popular) for (let j = 0; j < popular.length && out.length < s.minCandidates; j++) add(popular[j].pinId, 'popular');
  // Early in a stream the popularity lists are short: fill the budget with the
  // newest pins of the user's categories, then of any label the user likes.
  for (let i = 0; i < categories.length; i++) {
    const pins = view.get<string[]>(categoryKey(categories[i]));
    if (pins) for (let j = 0; j < pins.length && out.length < s.minCandidates; j++) add(pins[j], 'interest');
  }
  return out;
}

/**
 * Fresh pins are routed by label: the newest {@link FRESH_CANDIDATES} created
 * since `since` that carry one of `labels`, newest first, each once.
 */
export function freshPins(view: IndexView, labels: Iterable<string>, since: number): string[] {
  const ids: string[] = [];
  const times: number[] = [];
  const at = new Map<string, number>();
  for (const label of labels) {
    const entries = view.get<FreshEntry[]>(freshKey(label));
    if (!entries) continue;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      if (!(entry[1] >= since)) continue;
      const j = at.get(entry[0]);
      if (j === undefined) {
        at.set(entry[0], ids.length);
        ids.push(entry[0]);
        times.push(entry[1]);
      } else {
        times[j] = entry[1];
      }
    }
  }
  const order = largestFirst(times);
  const n = Math.min(FRESH_CANDIDATES, order.length);
  const out = new Array<string>(n);
  for (let k = 0; k < n; k++) out[k] = ids[order[k]];
  return out;
}

/** Indices of `values`, largest value first; equal values keep their order (a stable sort). */
function largestFirst(values: readonly number[]): number[] {
  const order = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) order[i] = i;
  return order.sort((a, b) => values[b] - values[a]);
}
