import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { HomeFeedGenerator, type GeneratedEvent } from '../../../examples/home-feed/generate/home-feed-generator';
import { loadHomeFeedSchema } from '../../../examples/home-feed/generate/home-feed-schemas';
import { POSITIVE_ACTIONS } from '../../../examples/home-feed/generate/home-feed-events';
import { ConfigError } from '../../../core/errors';

function digest(events: Iterable<GeneratedEvent>): string {
  const hash = createHash('sha256');
  for (const e of events) hash.update(`${e.kind}|${e.key}|${e.timestamp}|${JSON.stringify(e.value)}\n`);
  return hash.digest('hex');
}

const small = { totalEvents: 20_000, users: 300, initialPins: 600, interests: 8 };

describe('HomeFeedGenerator', () => {
  it('gives the same stream for the same seed and a different one for another seed', () => {
    const a = digest(new HomeFeedGenerator({ ...small, seed: 7 }).events());
    const b = digest(new HomeFeedGenerator({ ...small, seed: 7 }).events());
    const c = digest(new HomeFeedGenerator({ ...small, seed: 8 }).events());
    assert.equal(a, b);
    assert.notEqual(a, c);
  });

  it('emits exactly totalEvents, initial pins first, in event-time order, every value valid for its schema', () => {
    const events = [...new HomeFeedGenerator({ ...small, seed: 1 }).events()];
    assert.equal(events.length, small.totalEvents);
    assert.ok(events.slice(0, small.initialPins).every((e) => e.kind === 'image'));
    const engagementType = loadHomeFeedSchema('engagement').type;
    const imageType = loadHomeFeedSchema('image').type;
    for (let i = 1; i < events.length; i++) assert.ok(events[i].timestamp >= events[i - 1].timestamp, `event ${i} goes back in time`);
    for (const e of events) {
      const type = e.kind === 'image' ? imageType : engagementType;
      assert.ok(type.isValid(e.value), `invalid ${e.kind}: ${JSON.stringify(e.value).slice(0, 200)}`);
      if (e.kind === 'image') assert.equal(e.value.embedding.length, 32);
    }
  });

  it('holds out the last share of engagements, after every training engagement, and keeps new pins arriving', () => {
    const events = [...new HomeFeedGenerator({ ...small, seed: 2, holdoutShare: 0.1 }).events()];
    const training = events.filter((e) => e.kind === 'engagement');
    const holdout = events.filter((e) => e.kind === 'holdout');
    const expected = Math.floor(0.1 * (small.totalEvents - small.initialPins));
    // Held-out engagements are the engagements among the last `expected` events (new pins are not held out).
    assert.ok(holdout.length > expected * 0.9 && holdout.length <= expected, `holdout ${holdout.length} vs ${expected}`);
    assert.ok(holdout[0].timestamp >= training[training.length - 1].timestamp);
    const newPins = events.slice(small.initialPins).filter((e) => e.kind === 'image');
    assert.ok(newPins.length > 50, `only ${newPins.length} new pins`);
    assert.ok(newPins.some((e) => e.timestamp > holdout[0].timestamp), 'no new pins during the held-out period');
  });

  it('makes user activity Zipf-like: the top 10% of users do a large share of the engagements', () => {
    const counts = new Map<string, number>();
    for (const e of new HomeFeedGenerator({ ...small, seed: 3 }).events()) {
      if (e.kind !== 'image') counts.set(e.key, (counts.get(e.key) ?? 0) + 1);
    }
    const sorted = [...counts.values()].sort((a, b) => b - a);
    const total = sorted.reduce((s, x) => s + x, 0);
    const top = sorted.slice(0, Math.ceil(small.users / 10)).reduce((s, x) => s + x, 0);
    assert.ok(top / total > 0.35, `top 10% share ${top / total}`);
    assert.ok(sorted[0] > 10 * sorted[Math.floor(sorted.length / 2)], 'the most active user is not much more active than the median');
  });

  it('saves more on-interest pins and hides more off-interest pins, per impression', () => {
    const generator = new HomeFeedGenerator({ ...small, seed: 4 });
    const tally = { on: { shown: 0, save: 0, hide: 0, positive: 0 }, off: { shown: 0, save: 0, hide: 0, positive: 0 } };
    for (const e of generator.events()) {
      if (e.kind === 'image') continue;
      const on = generator.userInterests(e.value.userId)!.has(generator.pinInterest(e.value.pinId)!);
      const t = on ? tally.on : tally.off;
      if (e.value.action === 'impression') t.shown++;
      if (e.value.action === 'save') t.save++;
      if (e.value.action === 'hide') t.hide++;
      if (POSITIVE_ACTIONS.has(e.value.action)) t.positive++;
    }
    const rate = (n: number, d: number): number => n / d;
    assert.ok(rate(tally.on.save, tally.on.shown) > 5 * rate(tally.off.save, tally.off.shown), JSON.stringify(tally));
    assert.ok(rate(tally.off.hide, tally.off.shown) > 5 * rate(tally.on.hide, tally.on.shown), JSON.stringify(tally));
    assert.ok(tally.on.shown > 2 * tally.off.shown, 'most shown pins should be on-interest');
  });

  it('clusters pin embeddings by interest and gives pins their interest\'s category', () => {
    const generator = new HomeFeedGenerator({ ...small, seed: 5 });
    const images = [...generator.events()].filter((e) => e.kind === 'image').map((e) => e.value as import('../../../examples/home-feed/generate/home-feed-events').ImageEvent);
    const cos = (a: number[], b: number[]): number => a.reduce((s, x, i) => s + x * b[i], 0);
    let same = 0, sameN = 0, other = 0, otherN = 0;
    for (let i = 0; i < 300; i++) {
      const a = images[i], b = images[(i * 7 + 13) % images.length];
      if (a === b) continue;
      if (generator.pinInterest(a.pinId) === generator.pinInterest(b.pinId)) { same += cos(a.embedding, b.embedding); sameN++; } else { other += cos(a.embedding, b.embedding); otherN++; }
      assert.equal(a.category, generator.interestCategory(generator.pinInterest(a.pinId)!));
    }
    assert.ok(sameN > 5 && same / sameN > 0.4, `same-interest cosine ${same / sameN}`);
    assert.ok(Math.abs(other / otherN) < 0.2, `cross-interest cosine ${other / otherN}`);
  });

  it('never lets a user engage again with a pin they saved or hid', () => {
    const closed = new Map<string, Set<string>>();
    for (const e of new HomeFeedGenerator({ ...small, seed: 6 }).events()) {
      if (e.kind === 'image') continue;
      const set = closed.get(e.value.userId) ?? new Set<string>();
      assert.ok(!set.has(e.value.pinId), `${e.value.userId} saw ${e.value.pinId} again after save/hide`);
      if (e.value.action === 'save' || e.value.action === 'hide') set.add(e.value.pinId);
      closed.set(e.value.userId, set);
    }
  });

  it('rejects a bad config with every problem in one ConfigError', () => {
    assert.throws(() => new HomeFeedGenerator({ totalEvents: 10, initialPins: 100, holdoutShare: 2 }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /holdoutShare/);
      assert.match(err.message, /must exceed initialPins/);
      return true;
    });
  });
});
