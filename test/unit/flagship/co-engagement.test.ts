import * as assert from 'node:assert/strict';
import type { ImageEvent } from '../../../examples/home-feed/generate/home-feed-events';
import { retrievalKeys, retrieveCandidates } from '../../../examples/home-feed/lib/candidate-retrieval';
import { DEFAULT_HOME_FEED_SETTINGS } from '../../../examples/home-feed/lib/home-feed-settings';
import { coKey, PinIndex, pinKey, type IndexView } from '../../../examples/home-feed/lib/pin-index';
import { emptyUserFeatures } from '../../../examples/home-feed/lib/user-features';

/** A map view that names the keys each step put. */
class RecordingView implements IndexView {
  readonly map = new Map<string, unknown>();
  readonly puts: string[] = [];
  get<T>(key: string): T | undefined {
    return this.map.get(key) as T | undefined;
  }
  put(key: string, value: unknown): void {
    this.map.set(key, value);
    this.puts.push(key);
  }
}

const image = (pinId: string): ImageEvent => ({
  pinId, creatorId: 'c', createdAt: 0, category: 'misc', labels: ['cats'], embedding: new Array(32).fill(0.5), boardId: null,
});
const save = (userId: string, pinId: string, eventTime: number) => ({ userId, pinId, action: 'save' as const, eventTime });

describe('co-engagement (flagship pin index)', () => {
  it('links an engaged pin with the user\'s previous positive pins, both ways, under co:<id>', () => {
    const view = new RecordingView();
    const index = new PinIndex(view, DEFAULT_HOME_FEED_SETTINGS);
    for (const p of ['p1', 'p2', 'p3']) index.addPin(image(p));
    index.recordEngagement(save('u1', 'p3', 10), ['p1', 'p2', 'unknown', 'p3']);
    index.recordEngagement(save('u2', 'p3', 11), ['p1']);
    assert.deepEqual(view.get(coKey('p3')), { p1: 6, p2: 3 }, 'a save weighs 3; unknown pins and the pin itself are not linked');
    assert.deepEqual(view.get(coKey('p1')), { p3: 6 });
    assert.deepEqual(view.get(coKey('p2')), { p3: 3 });
  });

  it('does not rewrite the other pins\' own entries: a link changes only their small co: entries', () => {
    const view = new RecordingView();
    const index = new PinIndex(view, DEFAULT_HOME_FEED_SETTINGS);
    for (const p of ['p1', 'p2', 'p3']) index.addPin(image(p));
    view.puts.length = 0;
    index.recordEngagement(save('u1', 'p3', 10), ['p1', 'p2']);
    const pinsWritten = view.puts.filter((k) => k.startsWith('pin:'));
    assert.deepEqual(pinsWritten, [pinKey('p3')], 'only the engaged pin\'s counters change');
    assert.deepEqual(new Set(view.puts.filter((k) => k.startsWith('co:'))), new Set([coKey('p1'), coKey('p2'), coKey('p3')]));
    assert.equal('co' in (view.get<object>(pinKey('p3')) ?? {}), false);
  });

  it('retrieval reads the co: entries of the user\'s recent positive pins and proposes their partners', () => {
    const view = new RecordingView();
    const index = new PinIndex(view, DEFAULT_HOME_FEED_SETTINGS);
    for (const p of ['p1', 'p2', 'p3']) index.addPin(image(p));
    index.recordEngagement(save('u1', 'p3', 10), ['p1']);
    const f = emptyUserFeatures(32);
    f.sequence.push({ pinId: 'p1', action: 'save', t: 10 });
    assert.ok(retrievalKeys(f).includes(coKey('p1')));
    const candidates = retrieveCandidates(f, view, DEFAULT_HOME_FEED_SETTINGS, 20, () => false);
    assert.deepEqual(candidates.find((c) => c.pinId === 'p3'), { pinId: 'p3', source: 'coengagement' });
  });
});
