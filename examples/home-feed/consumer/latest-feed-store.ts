import type { RecommendationEvent } from '../generate/home-feed-events';

/** What happened to one update offered to the store. */
export type FeedUpdateOutcome = 'applied' | 'stale' | 'duplicate';

/**
 * The latest recommendation list per user, as a downstream service keeps it:
 * an update replaces the held one only when its version is higher (older or
 * replayed versions are stale — Kafka redelivers after a rebalance or a
 * retry); a higher version with the same content hash only moves the version.
 */
export class LatestFeedStore {
  private readonly feeds = new Map<string, RecommendationEvent>();
  readonly counts: Record<FeedUpdateOutcome, number> = { applied: 0, stale: 0, duplicate: 0 };

  offer(update: RecommendationEvent): FeedUpdateOutcome {
    const held = this.feeds.get(update.userId);
    let outcome: FeedUpdateOutcome;
    if (held && Number(update.version) <= Number(held.version)) outcome = 'stale';
    else if (held && update.contentHash === held.contentHash) outcome = 'duplicate';
    else outcome = 'applied';
    if (outcome !== 'stale') this.feeds.set(update.userId, update);
    this.counts[outcome]++;
    return outcome;
  }

  /** The user's current list, best first (undefined before the first update). */
  get(userId: string): RecommendationEvent | undefined {
    return this.feeds.get(userId);
  }

  /** The `n` feeds with the highest versions (the most active users). */
  mostUpdated(n: number): RecommendationEvent[] {
    return [...this.feeds.values()].sort((a, b) => Number(b.version) - Number(a.version) || (a.userId < b.userId ? -1 : 1)).slice(0, n);
  }

  get users(): number {
    return this.feeds.size;
  }
}
