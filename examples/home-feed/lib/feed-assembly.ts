import { createHash } from 'node:crypto';
import type { HomeFeedSettings } from './home-feed-settings';
import type { RecommendedItem } from '../generate/home-feed-events';
import type { ScoredCandidateInput } from './ranking-request';

/**
 * Blending, filtering and diversity: final score = model utility + a small
 * log-popularity prior; pins that became filtered since retrieval are
 * dropped; in the top 10 at most `maxPerLabelInTop10` pins share a first
 * label; the list is cut at top-K. `utility[i]` is the model's score of
 * `candidates[i]` (a missing one ranks last). The two are read side by side:
 * a copy of every candidate with its utility cost 1.2 s of 45 at 5,000
 * events/s.
 */
export function assembleFeed(candidates: readonly ScoredCandidateInput[], utility: readonly number[], s: HomeFeedSettings, isFiltered: (pinId: string) => boolean): RecommendedItem[] {
  const ranked: Array<{ c: ScoredCandidateInput; score: number }> = [];
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i];
    if (!isFiltered(c.pinId)) ranked.push({ c, score: (utility[i] ?? -Infinity) + s.popularityBlend * Math.log1p(c.popularity) });
  }
  ranked.sort((a, b) => b.score - a.score || (a.c.pinId < b.c.pinId ? -1 : 1));
  const out: RecommendedItem[] = [];
  const perLabel = new Map<string, number>();
  const deferred: typeof ranked = [];
  for (const entry of ranked) {
    if (out.length >= s.topK) break;
    const label = entry.c.labels[0] ?? '';
    if (out.length < 10 && (perLabel.get(label) ?? 0) >= s.maxPerLabelInTop10) {
      deferred.push(entry);
      continue;
    }
    perLabel.set(label, (perLabel.get(label) ?? 0) + 1);
    out.push({ pinId: entry.c.pinId, score: Math.fround(entry.score), source: entry.c.source });
    // Once the top 10 is full, pins held back for diversity compete again.
    if (out.length === 10 && deferred.length) {
      ranked.splice(ranked.indexOf(entry) + 1, 0, ...deferred.splice(0));
    }
  }
  return out;
}

/** Hex digest of the ordered pin ids (scores excluded): equal lists, equal hashes. */
export function contentHash(items: readonly RecommendedItem[]): string {
  return createHash('sha1').update(items.map((i) => i.pinId).join('\n')).digest('hex').slice(0, 16);
}

/**
 * Whether a new list differs materially from the last emitted one: the set of
 * the first `materialTop` pins changed, or a pin of the last list is now
 * filtered (a hide must reach the consumer at once).
 */
export function isMaterialChange(lastTop: readonly string[], next: readonly RecommendedItem[], s: HomeFeedSettings, isFiltered: (pinId: string) => boolean): boolean {
  if (lastTop.length === 0) return next.length > 0;
  if (lastTop.some(isFiltered)) return true;
  const a = new Set(lastTop.slice(0, s.materialTop));
  const b = next.slice(0, s.materialTop).map((i) => i.pinId);
  return b.length !== a.size || b.some((p) => !a.has(p));
}
