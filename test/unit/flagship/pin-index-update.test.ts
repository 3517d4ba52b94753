import * as assert from 'node:assert/strict';
import { isPinIndexUpdate, pinIndexKeys, type IndexedEngagement, type PinIndexUpdate } from '../../../examples/home-feed/lib/pin-index-update';
import type { EngagementEvent, ImageEvent } from '../../../examples/home-feed/generate/home-feed-events';
import type { PinState } from '../../../examples/home-feed/lib/pin-index';

const image = (pinId: string, category: string, labels: string[]): ImageEvent => ({
  pinId, creatorId: 'c', createdAt: 1, category, labels, embedding: new Array(32).fill(0), boardId: null,
});
const engagement = (userId: string, pinId: string): EngagementEvent => ({
  eventId: `${userId}-${pinId}`, userId, pinId, action: 'save', eventTime: 2, surface: 'home_feed', dwellMs: 0, attributes: {},
});

const engaged = (userId: string, pinId: string, previous: string[]): IndexedEngagement => {
  const { action, eventTime } = engagement(userId, pinId);
  return { userId, pinId, action, eventTime, previous };
};

describe('pin-index updates', () => {
  it('tells updates from other values', () => {
    assert.equal(isPinIndexUpdate({ kind: 'image', image: image('p1', 'art', []) }), true);
    assert.equal(isPinIndexUpdate({ kind: 'engagements', engagements: [engaged('u1', 'p1', []), engaged('u2', 'p2', ['p1'])] }), true);
    assert.equal(isPinIndexUpdate({ kind: 'engagements', engagements: [] }), true);
    // One bad engagement makes the record bad: it is dead-lettered whole, so a replay applies it once.
    assert.equal(isPinIndexUpdate({ kind: 'engagements', engagements: [engaged('u1', 'p1', []), { ...engaged('u2', 'p2', []), previous: undefined }] }), false);
    assert.equal(isPinIndexUpdate({ kind: 'engagements', engagements: [{ ...engaged('u1', 'p1', []), eventTime: '2' }] }), false);
    assert.equal(isPinIndexUpdate({ kind: 'engagements', engagements: engaged('u1', 'p1', []) }), false);
    assert.equal(isPinIndexUpdate({ kind: 'engagement', event: engagement('u1', 'p1'), previous: [] }), false);
    assert.equal(isPinIndexUpdate(image('p1', 'art', [])), false);
    assert.equal(isPinIndexUpdate(null), false);
  });

  it('reads the lists of an engaged pin whether it is indexed already or added by an image of the same batch', () => {
    const updates: PinIndexUpdate[] = [
      { kind: 'image', image: image('p2', 'food', ['cake']) },
      { kind: 'engagements', engagements: [engaged('u1', 'p1', ['p0']), engaged('u1', 'p2', [])] },
      { kind: 'engagements', engagements: [engaged('u2', 'p9', [])] },
    ];
    const keys = pinIndexKeys(updates);
    assert.deepEqual(keys.first, [
      'pin:p2', 'category:food', 'fresh:cake', 'label:cake', 'followers:cake',
      'pin:p1', 'popular', 'co:p1', 'pin:p0', 'co:p0',
      'pin:p2', 'popular',
      'pin:p9', 'popular',
    ]);
    const indexed = new Map<string, Partial<PinState>>([['pin:p1', { category: 'art', labels: ['paint', 'ink'] }]]);
    // p9 is unknown everywhere: an engagement on it counts nothing in the index, so it reads no lists.
    assert.deepEqual(keys.second((k) => indexed.get(k) as PinState | undefined), [
      'popular:art', 'followers:paint', 'followers:ink',
      'popular:food', 'followers:cake',
    ]);
  });
});
