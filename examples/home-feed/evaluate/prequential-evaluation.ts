import { POSITIVE_ACTIONS, type EngagementEvent, type RecommendationEvent } from '../generate/home-feed-events';
import { RankingMetrics } from './ranking-metrics';
import { DecayedPopularityBaseline } from './decayed-popularity-baseline';

/** What an evaluation compares: the stream the system saw, what it emitted, and the future it had to predict. */
export interface EvaluationInput {
  /** Training engagements (what went to the engagement topic), in any order. */
  readonly engagements: readonly EngagementEvent[];
  /** Held-out future engagements (never shown to the system). */
  readonly holdout: readonly EngagementEvent[];
  /** Every recommendation update the system emitted. */
  readonly recommendations: readonly RecommendationEvent[];
  /** Cut-offs to report, e.g. [10, 25]. */
  readonly ks: readonly number[];
  /** Half-life of the popularity baseline, ms (default 6 h). */
  readonly baselineHalfLifeMs?: number;
}

/** HitRate@K and NDCG@K of one ranker at one K. */
export interface MetricsAtK {
  readonly k: number;
  readonly hitRate: number;
  readonly ndcg: number;
}

export interface EvaluationReport {
  /** Held-out positive (user, pin) pairs of users the system had seen act. */
  readonly targets: number;
  /** Share of targets whose user had an emitted list by the target's time. */
  readonly coverage: number;
  readonly usersWithUpdates: number;
  readonly updates: number;
  readonly flagship: readonly MetricsAtK[];
  readonly baseline: readonly MetricsAtK[];
}

/**
 * Prequential evaluation: for each held-out positive engagement (first per
 * user and pin, of users with at least one training engagement), take the
 * user's latest emitted list whose event time is not after the engagement's,
 * and the decayed-popularity list computed on the same training stream up to
 * that time; score both with HitRate@K and NDCG@K. A user with no list yet
 * counts as a miss for the flagship.
 */
export function evaluatePrequential(input: EvaluationInput): EvaluationReport {
  const engagements = [...input.engagements].sort((a, b) => a.eventTime - b.eventTime);
  const knownUsers = new Set(engagements.map((e) => e.userId));
  const seenPairs = new Set<string>();
  const targets = [...input.holdout]
    .filter((e) => POSITIVE_ACTIONS.has(e.action) && knownUsers.has(e.userId))
    .sort((a, b) => a.eventTime - b.eventTime)
    .filter((e) => {
      const pair = `${e.userId}\u0000${e.pinId}`;
      if (seenPairs.has(pair)) return false;
      seenPairs.add(pair);
      return true;
    });

  const byUser = new Map<string, RecommendationEvent[]>();
  for (const r of input.recommendations) {
    const list = byUser.get(r.userId) ?? [];
    list.push(r);
    byUser.set(r.userId, list);
  }
  for (const list of byUser.values()) list.sort((a, b) => a.version - b.version);

  const maxK = Math.max(...input.ks);
  const flagship = input.ks.map((k) => new RankingMetrics(k));
  const baselineMetrics = input.ks.map((k) => new RankingMetrics(k));
  const baseline = new DecayedPopularityBaseline(input.baselineHalfLifeMs);
  let next = 0;
  let covered = 0;
  for (const target of targets) {
    while (next < engagements.length && engagements[next].eventTime <= target.eventTime) baseline.observe(engagements[next++]);
    const list = latestAsOf(byUser.get(target.userId), target.eventTime);
    if (list) covered++;
    const pins = list?.items.map((i) => i.pinId);
    for (const m of flagship) m.add(pins, target.pinId);
    const popular = baseline.recommend(target.userId, maxK);
    for (const m of baselineMetrics) m.add(popular, target.pinId);
  }
  const summary = (ms: RankingMetrics[]): MetricsAtK[] => ms.map((m) => ({ k: m.k, hitRate: m.hitRate, ndcg: m.ndcg }));
  return {
    targets: targets.length,
    coverage: targets.length ? covered / targets.length : 0,
    usersWithUpdates: byUser.size,
    updates: input.recommendations.length,
    flagship: summary(flagship),
    baseline: summary(baselineMetrics),
  };
}

/** The highest-version update whose event time is at or before `time` (updates sorted by version). */
function latestAsOf(updates: RecommendationEvent[] | undefined, time: number): RecommendationEvent | undefined {
  if (!updates) return undefined;
  for (let i = updates.length - 1; i >= 0; i--) if (updates[i].eventTime <= time) return updates[i];
  return undefined;
}

/** A fixed-width text table of a report, for the CLI and benches. */
export function formatEvaluationReport(report: EvaluationReport): string {
  const rows = [`targets ${report.targets}  coverage ${(100 * report.coverage).toFixed(1)}%  updates ${report.updates} for ${report.usersWithUpdates} users`];
  rows.push('K    flagship HitRate  NDCG     baseline HitRate  NDCG     HitRate lift');
  report.flagship.forEach((f, i) => {
    const b = report.baseline[i];
    const lift = b.hitRate > 0 ? `${(f.hitRate / b.hitRate).toFixed(2)}x` : 'n/a';
    rows.push(`${String(f.k).padEnd(4)} ${f.hitRate.toFixed(4).padStart(16)}  ${f.ndcg.toFixed(4)}   ${b.hitRate.toFixed(4).padStart(16)}  ${b.ndcg.toFixed(4)}   ${lift}`);
  });
  return rows.join('\n');
}
