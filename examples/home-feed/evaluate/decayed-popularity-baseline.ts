import type { EngagementAction, EngagementEvent } from '../generate/home-feed-events';

/** How much each action adds to a pin's popularity (impressions and hides add nothing). */
export const DEFAULT_POPULARITY_WEIGHTS: Readonly<Partial<Record<EngagementAction, number>>> = {
  click: 1, closeup: 1, save: 3, share: 3,
};

/**
 * The baseline the flagship must beat: one global list of pins by
 * exponentially decayed engagement (score halves every `halfLifeMs`), with the
 * same per-user filter the flagship applies (pins the user saved or hid).
 * Scores are kept relative to a reference time and rebased before they
 * overflow, so observing is O(1) and time passing changes no order.
 */
export class DecayedPopularityBaseline {
  private readonly scores = new Map<string, number>();
  private readonly closed = new Map<string, Set<string>>();
  private referenceTime: number | undefined;
  private ranked: string[] | undefined;

  constructor(
    readonly halfLifeMs = 6 * 3600 * 1000,
    private readonly weights: Readonly<Partial<Record<EngagementAction, number>>> = DEFAULT_POPULARITY_WEIGHTS,
  ) {}

  /** Takes one engagement of the stream (in event-time order). */
  observe(event: EngagementEvent): void {
    if (event.action === 'save' || event.action === 'hide') {
      const set = this.closed.get(event.userId) ?? new Set<string>();
      set.add(event.pinId);
      this.closed.set(event.userId, set);
    }
    const w = this.weights[event.action];
    if (!w) return;
    if (this.referenceTime === undefined) this.referenceTime = event.eventTime;
    let exponent = (event.eventTime - this.referenceTime) / this.halfLifeMs;
    if (exponent > 500) {
      // 2^500 is far from overflow and rebasing keeps the ratios exact enough.
      const factor = Math.pow(2, -exponent);
      for (const [pin, s] of this.scores) this.scores.set(pin, s * factor);
      this.referenceTime = event.eventTime;
      exponent = 0;
    }
    this.scores.set(event.pinId, (this.scores.get(event.pinId) ?? 0) + w * Math.pow(2, exponent));
    this.ranked = undefined;
  }

  /** The top K pins for a user, most popular first, without the pins that user saved or hid. */
  recommend(userId: string, k: number): string[] {
    if (!this.ranked) {
      this.ranked = [...this.scores.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([pin]) => pin);
    }
    const closed = this.closed.get(userId);
    const out: string[] = [];
    for (const pin of this.ranked) {
      if (out.length >= k) break;
      if (!closed?.has(pin)) out.push(pin);
    }
    return out;
  }
}
