import * as assert from 'node:assert/strict';
import { LatestFeedStore } from '../../../examples/home-feed/consumer/latest-feed-store';
import type { RecommendationEvent } from '../../../examples/home-feed/generate/home-feed-events';

const update = (userId: string, version: number, pins: string[]): RecommendationEvent => ({
  userId, version, generatedAt: 0, eventTime: 0, trigger: 'engagement', modelVersion: 'm', contentHash: pins.join(','),
  items: pins.map((pinId) => ({ pinId, score: 1, source: 'interest' })),
});

describe('LatestFeedStore', () => {
  it('keeps the highest version per user and drops stale and replayed ones', () => {
    const store = new LatestFeedStore();
    assert.equal(store.offer(update('u1', 1, ['a'])), 'applied');
    assert.equal(store.offer(update('u1', 3, ['b'])), 'applied');
    assert.equal(store.offer(update('u1', 2, ['c'])), 'stale');
    assert.equal(store.offer(update('u1', 3, ['b'])), 'stale');
    assert.equal(store.offer(update('u2', 1, ['x'])), 'applied');
    assert.deepEqual(store.get('u1')?.items.map((i) => i.pinId), ['b']);
    assert.equal(store.users, 2);
    assert.deepEqual(store.counts, { applied: 3, stale: 2, duplicate: 0 });
  });

  it('moves the version but counts a same-content update as a duplicate', () => {
    const store = new LatestFeedStore();
    store.offer(update('u1', 1, ['a', 'b']));
    assert.equal(store.offer(update('u1', 2, ['a', 'b'])), 'duplicate');
    assert.equal(store.get('u1')?.version, 2);
    assert.equal(store.offer(update('u1', 2, ['z'])), 'stale');
  });
});
