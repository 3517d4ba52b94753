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
  const out = new Map<string, Candidate>();
  const add = (pinId: string, source: Candidate['source']): void => {
    if (out.size < s.maxCandidates && !out.has(pinId) && !isFiltered(pinId)) out.set(pinId, { pinId, source });
  };
  if (newPin !== undefined) add(newPin, 'fresh');
  const categories = topCategories(f, TOP_CATEGORIES);
  const categoryWeights = categories.map((c) => Math.max(0, f.categories[c]));
  const totalWeight = categoryWeights.reduce((a, b) => a + b, 0) || 1;
  categories.forEach((c, i) => {
    const quota = Math.round(40 + 120 * (categoryWeights[i] / totalWeight));
    for (const e of (view.get<PopularEntry[]>(popularInKey(c)) ?? []).slice(0, quota)) add(e.pinId, 'interest');
  });
  const co = new Map<string, number>();
  for (const seed of recentPositivePins(f, SEED_PINS)) {
    for (const [other, w] of Object.entries(view.get<CoEngagement>(coKey(seed)) ?? {})) co.set(other, (co.get(other) ?? 0) + w);
  }
  for (const [pinId] of [...co].sort((a, b) => b[1] - a[1]).slice(0, 80)) add(pinId, 'coengagement');
  const labels = new Set(topLabels(f, TOP_LABELS));
  for (const label of labels) for (const pinId of (view.get<string[]>(labelKey(label)) ?? []).slice(0, 25)) add(pinId, 'label');
  for (const pinId of freshPins(view, labels, now - s.freshWindow)) add(pinId, 'fresh');
  for (const e of view.get<PopularEntry[]>(POPULAR_KEY) ?? []) {
    if (out.size >= s.minCandidates) break;
    add(e.pinId, 'popular');
  }
  // Early in a stream the popularity lists are short: fill the budget with the
  // newest pins of the user's categories, then of any label the user likes.
  for (const c of categories) {
    for (const pinId of view.get<string[]>(categoryKey(c)) ?? []) {
      if (out.size >= s.minCandidates) break;
      add(pinId, 'interest');
    }
  }
  return [...out.values()];
}

/**
 * Fresh pins are routed by label: the newest {@link FRESH_CANDIDATES} created
 * since `since` that carry one of `labels`, newest first, each once.
 */
export function freshPins(view: IndexView, labels: Iterable<string>, since: number): string[] {
  const fresh = new Map<string, number>();
  for (const label of labels) {
    // Entries read by index, not destructured: `[pinId, createdAt] of` iterates each entry (134 MB
    // of iterator results in 25 s at 5,000 events/s).
    for (const entry of view.get<FreshEntry[]>(freshKey(label)) ?? []) if (entry[1] >= since) fresh.set(entry[0], entry[1]);
  }
  return [...fresh].sort((a, b) => b[1] - a[1]).slice(0, FRESH_CANDIDATES).map(([pinId]) => pinId);
}
