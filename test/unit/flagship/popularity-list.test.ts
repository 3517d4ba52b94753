import * as assert from 'node:assert/strict';
import { PinIndex, POPULAR_KEY, popularity, type IndexView, type PinState, type PopularEntry } from '../../../examples/home-feed/lib/pin-index';
import { DEFAULT_HOME_FEED_SETTINGS } from '../../../examples/home-feed/lib/home-feed-settings';
import type { EngagementAction, EngagementEvent } from '../../../examples/home-feed/generate/home-feed-events';
import { decay } from '../../../examples/home-feed/lib/vector';

/** An in-memory index view. */
function memoryView(): IndexView & { rows: Map<string, unknown> } {
  const rows = new Map<string, unknown>();
  return { rows, get: <T>(key: string) => rows.get(key) as T | undefined, put: (key, value) => { rows.set(key, value); } };
}

const ACTIONS: EngagementAction[] = ['click', 'save', 'share', 'closeup', 'impression'];

describe('the popularity list', () => {
  it('equals every engaged pin ranked by its score decayed to now, best first, capped at 300, after each engagement', () => {
    const s = DEFAULT_HOME_FEED_SETTINGS;
    const view = memoryView();
    const index = new PinIndex(view, s);
    const pins = 400;
    for (let i = 0; i < pins; i++) {
      index.addPin({ pinId: `p${i}`, creatorId: 'c', createdAt: 0, category: `c${i % 5}`, labels: [`l${i % 7}`], embedding: new Array(32).fill(0), boardId: null });
    }
    let x = 7;
    const latest = new Map<string, PopularEntry>();
    for (let n = 0; n < 3000; n++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      // Skewed: a few pins get most engagements; event time moves on 0–40 minutes each time.
      const pinId = `p${x % 10 < 6 ? x % 20 : x % pins}`;
      const t = 1_700_000_000_000 + n * 60_000 + (x % 40) * 60_000;
      const action = ACTIONS[x % ACTIONS.length];
      const event: EngagementEvent = { eventId: `e${n}`, userId: `u${x % 50}`, pinId, action, eventTime: t, surface: 'home_feed', dwellMs: 0, attributes: {} };
      index.recordEngagement(event, []);
      if (action === 'impression') continue; // not a positive action: the list is not touched
      const pin = view.get<PinState>(`pin:${pinId}`)!;
      latest.set(pinId, { pinId, score: popularity(pin), at: pin.updatedAt });
      if (n % 97 !== 0) continue;
      const now = Math.max(...[...latest.values()].map((e) => e.at));
      const expected = [...latest.values()]
        .map((e) => ({ e, decayed: e.score * decay(now - e.at, s.pinHalfLife) }))
        .sort((a, b) => b.decayed - a.decayed)
        .slice(0, 300)
        .map((r) => r.e.pinId);
      const list = view.get<PopularEntry[]>(POPULAR_KEY)!;
      assert.deepEqual(list.map((e) => e.pinId), expected, `after engagement ${n}`);
    }
  });
});
