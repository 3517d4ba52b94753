import * as assert from 'node:assert/strict';
import { RankingMetrics } from '../../../examples/home-feed/evaluate/ranking-metrics';
import { DecayedPopularityBaseline } from '../../../examples/home-feed/evaluate/decayed-popularity-baseline';
import { evaluatePrequential } from '../../../examples/home-feed/evaluate/prequential-evaluation';
import type { EngagementAction, EngagementEvent, RecommendationEvent } from '../../../examples/home-feed/generate/home-feed-events';

const H = 3600 * 1000;
let n = 0;
function ev(userId: string, pinId: string, action: EngagementAction, eventTime: number): EngagementEvent {
  return { eventId: `t${n++}`, userId, pinId, action, eventTime, surface: 'home_feed', dwellMs: 0, attributes: {} };
}
function rec(userId: string, version: number, eventTime: number, pins: string[]): RecommendationEvent {
  return {
    userId, version, eventTime, generatedAt: 0, trigger: 'engagement', modelVersion: 'm', contentHash: pins.join(','),
    items: pins.map((pinId, i) => ({ pinId, score: 1 - i / 10, source: 'interest' })),
  };
}

describe('RankingMetrics', () => {
  it('scores a hit at rank 1 as 1, at rank 3 as 1/log2(4), beyond K and missing lists as 0', () => {
    const m = new RankingMetrics(3);
    m.add(['a', 'b', 'c', 'd'], 'a');
    m.add(['a', 'b', 'c', 'd'], 'c');
    m.add(['a', 'b', 'c', 'd'], 'd');
    m.add(undefined, 'a');
    assert.equal(m.count, 4);
    assert.equal(m.hitRate, 2 / 4);
    assert.ok(Math.abs(m.ndcg - (1 + 0.5) / 4) < 1e-12);
  });

  it('reports zeros with no queries and rejects a bad K', () => {
    assert.equal(new RankingMetrics(5).hitRate, 0);
    assert.throws(() => new RankingMetrics(0), RangeError);
  });
});

describe('DecayedPopularityBaseline', () => {
  it('ranks by decayed weighted engagement: an old burst loses to a fresh trickle', () => {
    const b = new DecayedPopularityBaseline(1 * H);
    for (let i = 0; i < 4; i++) b.observe(ev(`u${i}`, 'old', 'click', 0));
    b.observe(ev('u9', 'new', 'click', 3 * H)); // 4 clicks 3 half-lives ago = 0.5 now < 1
    b.observe(ev('u9', 'mid', 'click', 2 * H)); // 0.5 ... equal to old: tie broken by id
    assert.deepEqual(b.recommend('x', 3), ['new', 'mid', 'old']);
  });

  it('weighs saves above clicks, ignores impressions and filters what the user saved or hid', () => {
    const b = new DecayedPopularityBaseline(1 * H);
    b.observe(ev('u1', 'p1', 'click', 0));
    b.observe(ev('u1', 'p2', 'save', 0));
    b.observe(ev('u2', 'p3', 'impression', 0));
    b.observe(ev('u3', 'p1', 'hide', 0));
    assert.deepEqual(b.recommend('u0', 5), ['p2', 'p1']);
    assert.deepEqual(b.recommend('u1', 5), ['p1']);
    assert.deepEqual(b.recommend('u3', 5), ['p2']);
  });

  it('keeps its order across many half-lives (rebasing does not overflow)', () => {
    const b = new DecayedPopularityBaseline(1000);
    b.observe(ev('u', 'a', 'click', 0));
    b.observe(ev('u', 'b', 'click', 2_000_000));
    b.observe(ev('u', 'a', 'save', 2_000_500));
    assert.deepEqual(b.recommend('v', 2), ['a', 'b']);
  });
});

describe('evaluatePrequential', () => {
  it('uses the latest list as of each held-out engagement and the baseline on the same stream', () => {
    const engagements = [
      ev('u1', 'p1', 'save', 0), ev('u2', 'p1', 'click', 1), ev('u2', 'p2', 'click', 2), ev('u1', 'p9', 'click', 3),
    ];
    const recommendations = [rec('u1', 1, 0, ['p5', 'p6']), rec('u1', 2, 10, ['p6', 'p7']), rec('u2', 1, 2, ['p7', 'p8'])];
    const holdout = [
      ev('u1', 'p6', 'save', 5), // u1's list as of 5 is v1 [p5, p6]: hit at rank 2
      ev('u1', 'p7', 'click', 20), // v2 [p6, p7]: hit at rank 2
      ev('u1', 'p7', 'save', 21), // same pair again: not a second target
      ev('u2', 'p2', 'impression', 22), // not positive
      ev('u2', 'p1', 'click', 23), // u2 list [p7, p8]: miss; baseline [p1, p2, ...]: hit at 1
      ev('u3', 'p1', 'click', 24), // u3 never acted in training: not a target
    ];
    const report = evaluatePrequential({ engagements, holdout, recommendations, ks: [1, 2] });
    assert.equal(report.targets, 3);
    assert.equal(report.coverage, 1);
    assert.deepEqual(report.flagship.map((m) => m.hitRate), [0, 2 / 3]);
    assert.ok(Math.abs(report.flagship[1].ndcg - (2 / Math.log2(3)) / 3) < 1e-12);
    // Baseline: p1 (save 3 + click 1) first, p9/p2 next; u1 saved p1 so it is filtered for u1.
    // u1@5: [p2, p9]... no p6; u1@20: no p7; u2@23: [p1, ...]: hit at 1.
    assert.deepEqual(report.baseline.map((m) => m.hitRate), [1 / 3, 1 / 3]);
    assert.equal(report.baseline[0].ndcg, 1 / 3);
  });

  it('counts a user whose first list comes after the engagement as a miss, not covered', () => {
    const report = evaluatePrequential({
      engagements: [ev('u1', 'p1', 'click', 0)],
      holdout: [ev('u1', 'p2', 'click', 5)],
      recommendations: [rec('u1', 1, 6, ['p2'])],
      ks: [10],
    });
    assert.equal(report.targets, 1);
    assert.equal(report.coverage, 0);
    assert.equal(report.flagship[0].hitRate, 0);
  });
});
