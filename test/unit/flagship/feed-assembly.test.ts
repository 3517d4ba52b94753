import * as assert from 'node:assert/strict';
import { assembleFeed } from '../../../examples/home-feed/lib/feed-assembly';
import { DEFAULT_HOME_FEED_SETTINGS } from '../../../examples/home-feed/lib/home-feed-settings';
import type { ScoredCandidateInput } from '../../../examples/home-feed/lib/ranking-request';

const candidate = (pinId: string, label: string, popularity = 0): ScoredCandidateInput => ({
  pinId, source: 'interest', embedding: [], features: [0, 0, 0, 0], labels: [label], popularity,
});
const none = (): boolean => false;

describe('feed assembly (flagship)', () => {
  it('ranks by the model\'s utility plus the popularity prior, row by row', () => {
    const s = { ...DEFAULT_HOME_FEED_SETTINGS, popularityBlend: 1 };
    const items = assembleFeed([candidate('a', 'x'), candidate('b', 'y', Math.E - 1), candidate('c', 'z')], [0.5, 0, 2], s, none);
    // b: 0 + log1p(e - 1) = 1 beats a's 0.5; c's 2 beats both.
    assert.deepEqual(items.map((i) => i.pinId), ['c', 'b', 'a']);
    assert.equal(items[0].score, Math.fround(2));
  });

  it('drops filtered pins and ranks a candidate without a utility last', () => {
    const items = assembleFeed([candidate('a', 'x'), candidate('b', 'y'), candidate('c', 'z')], [1, 3], DEFAULT_HOME_FEED_SETTINGS, (p) => p === 'b');
    assert.deepEqual(items.map((i) => i.pinId), ['a', 'c']);
  });

  it('caps pins sharing a first label in the top 10, then lets the held-back ones compete again, and cuts at top-K', () => {
    const s = { ...DEFAULT_HOME_FEED_SETTINGS, maxPerLabelInTop10: 2, topK: 12 };
    const cats = Array.from({ length: 6 }, (_, i) => candidate(`cat${i}`, 'cats'));
    const others = Array.from({ length: 10 }, (_, i) => candidate(`o${i}`, `l${i}`));
    const items = assembleFeed([...cats, ...others], [...cats.map((_, i) => 100 - i), ...others.map((_, i) => 50 - i)], s, none);
    assert.equal(items.length, 12);
    assert.deepEqual(items.slice(0, 10).filter((i) => i.pinId.startsWith('cat')).map((i) => i.pinId), ['cat0', 'cat1']);
    assert.deepEqual(items.slice(10).map((i) => i.pinId), ['cat2', 'cat3']);
  });
});
