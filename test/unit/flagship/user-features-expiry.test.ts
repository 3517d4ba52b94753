import { strict as assert } from 'node:assert';
import { emptyUserFeatures, filteredPins, updateUserFeatures, type UserFeatures } from '../../../examples/home-feed/lib/user-features';
import { DEFAULT_HOME_FEED_SETTINGS } from '../../../examples/home-feed/lib/home-feed-settings';
import type { EngagementAction, EngagementEvent } from '../../../examples/home-feed/generate/home-feed-events';

const s = { ...DEFAULT_HOME_FEED_SETTINGS, shownTtl: 1_000, closedTtl: 5_000 };
const event = (pinId: string, action: EngagementAction, eventTime: number): EngagementEvent =>
  ({ eventId: `${pinId}-${eventTime}`, userId: 'u1', pinId, action, eventTime, surface: 'home', dwellMs: 0, attributes: {} });

describe('flagship user features: closed and shown pins expire', () => {
  it('keeps a pin until its expiry and drops it at the first update after, however many updates come between', () => {
    const f = emptyUserFeatures(4);
    updateUserFeatures(f, event('p1', 'impression', 10_000), undefined, s);
    updateUserFeatures(f, event('p2', 'impression', 10_500), undefined, s);
    updateUserFeatures(f, event('p3', 'save', 10_600), undefined, s);
    assert.equal(f.nextExpiry, 11_000);
    updateUserFeatures(f, event('p4', 'click', 10_900), undefined, s);
    assert.deepEqual(Object.keys(f.shown).sort(), ['p1', 'p2']);
    updateUserFeatures(f, event('p4', 'click', 11_000), undefined, s);
    assert.deepEqual(Object.keys(f.shown), ['p2'], 'p1 expired at 11,000');
    assert.equal(f.nextExpiry, 11_500);
    updateUserFeatures(f, event('p4', 'click', 20_000), undefined, s);
    assert.deepEqual(f.shown, {});
    assert.deepEqual(f.closed, {}, 'the save expired at 15,600');
    assert.equal(f.nextExpiry, Number.MAX_SAFE_INTEGER);
    assert.equal(filteredPins(f, 20_000)('p1'), false);
  });

  it('scans features stored before the next expiry was kept, and survives a JSON round trip', () => {
    const f = emptyUserFeatures(4);
    updateUserFeatures(f, event('p1', 'impression', 10_000), undefined, s);
    const old = JSON.parse(JSON.stringify(f)) as UserFeatures;
    delete old.nextExpiry;
    old.shown.p9 = 10_200;
    updateUserFeatures(old, event('p4', 'click', 10_300), undefined, s);
    assert.deepEqual(Object.keys(old.shown), ['p1'], 'p9 expired although no next expiry was stored');
    assert.equal(old.nextExpiry, 11_000);
  });

  it('drops at once a pin whose expiry is already past (a late event)', () => {
    const f = emptyUserFeatures(4);
    updateUserFeatures(f, event('p1', 'click', 50_000), undefined, s);
    updateUserFeatures(f, event('p2', 'impression', 40_000), undefined, s);
    assert.deepEqual(f.shown, {});
  });
});
