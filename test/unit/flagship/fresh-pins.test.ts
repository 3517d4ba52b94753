import * as assert from 'node:assert/strict';
import { MapView } from './map-view';
import { deserialize, serialize } from 'node:v8';
import type { ImageEvent } from '../../../examples/home-feed/generate/home-feed-events';
import { freshPins, retrieveCandidates } from '../../../examples/home-feed/lib/candidate-retrieval';
import { buildRankingRequest } from '../../../examples/home-feed/lib/ranking-request';
import { DEFAULT_HOME_FEED_SETTINGS } from '../../../examples/home-feed/lib/home-feed-settings';
import { emptyUserFeatures, filteredPins } from '../../../examples/home-feed/lib/user-features';
import { carriedPin, FRESH_CANDIDATES, freshKey, PinIndex, pinFromCarried, pinKey, withPin, type FreshEntry } from '../../../examples/home-feed/lib/pin-index';

const HOUR = 3_600_000;
const settings = { ...DEFAULT_HOME_FEED_SETTINGS, freshWindow: 24 * HOUR };

const image = (pinId: string, createdAt: number, labels: string[]): ImageEvent => ({
  pinId, creatorId: 'c', createdAt, category: 'misc', labels, embedding: new Array(32).fill(0), boardId: null,
});

describe('fresh pins (flagship pin index)', () => {
  it('keeps the newest pins of each label, bounded and inside the fresh window', () => {
    const view = new MapView();
    const index = new PinIndex(view, settings);
    index.addPin(image('old', 0, ['cats']));
    for (let i = 0; i < 60; i++) index.addPin(image(`c${i}`, 30 * HOUR + i, ['cats']));
    index.addPin(image('d0', 30 * HOUR + 100, ['dogs']));
    const cats = view.get<FreshEntry[]>(freshKey('cats')) ?? [];
    assert.equal(cats.length, FRESH_CANDIDATES);
    assert.deepEqual(cats.slice(0, 2).map(([p]) => p), ['c59', 'c58']);
    assert.ok(!cats.some(([p]) => p === 'old'), 'a pin older than the fresh window is dropped when the list is written');
    assert.deepEqual(view.get<FreshEntry[]>(freshKey('dogs')), [['d0', 30 * HOUR + 100]]);
  });

  it('proposes the newest fresh pins carrying the user\'s labels, across labels, each once', () => {
    const view = new MapView();
    const index = new PinIndex(view, settings);
    const now = 50 * HOUR;
    index.addPin(image('stale', now - 25 * HOUR, ['cats']));
    for (let i = 0; i < 30; i++) index.addPin(image(`c${i}`, now - HOUR + 2 * i, ['cats']));
    for (let i = 0; i < 30; i++) index.addPin(image(`d${i}`, now - HOUR + 2 * i + 1, ['dogs']));
    index.addPin(image('both', now - HOUR + 100, ['cats', 'dogs']));
    index.addPin(image('f0', now, ['fish']));
    const fresh = freshPins(view, ['cats', 'dogs'], now - settings.freshWindow);
    assert.equal(fresh.length, FRESH_CANDIDATES);
    assert.equal(fresh[0], 'both');
    assert.equal(new Set(fresh).size, fresh.length);
    assert.ok(!fresh.includes('f0'), 'a fresh pin of a label the user does not like is not proposed');
    assert.ok(!fresh.includes('stale'));
    // The newest 40 of the 61 fresh cats-or-dogs pins: 'both', then d29, c29, ... down to d10.
    assert.deepEqual(fresh.slice(1, 4), ['d29', 'c29', 'd28']);
    assert.equal(fresh[FRESH_CANDIDATES - 1], 'd10');
  });
});

describe('a new pin carried by its trigger (flagship fresh content)', () => {
  it('is a candidate, with its features, before the index the user\'s task reads holds it', () => {
    // The index task's own view has the pin; the user's task reads a copy (the global store) that
    // receives it only after the index task commits.
    const indexView = new MapView();
    const pin = new PinIndex(indexView, settings).addPin(image('new', 10 * HOUR, ['cats']));
    const userView = new MapView();
    new PinIndex(userView, settings).addPin(image('known', 9 * HOUR, ['cats']));
    const user = emptyUserFeatures(32);
    const now = 10 * HOUR + 1;
    const without = retrieveCandidates(user, userView, settings, now, () => false);
    assert.ok(!without.some((c) => c.pinId === 'new'), 'the copy does not know the pin yet');
    const view = withPin(userView, pin);
    const candidates = retrieveCandidates(user, view, settings, now, () => false, pin.pinId);
    assert.deepEqual(candidates[0], { pinId: 'new', source: 'fresh' });
    const request = buildRankingRequest(user, candidates, view, settings, now);
    assert.equal(request.candidates[0].pinId, 'new', 'a candidate the view lacked would be dropped here');
    assert.equal(request.candidates[0].embedding.length, 32);
  });

  it('travels compactly (the embedding as float32 bytes) and comes back as the entry the index had', () => {
    const view = new MapView();
    const embedding = Array.from({ length: 32 }, (_, i) => Math.fround(Math.sin(i)));
    const pin = new PinIndex(view, settings).addPin({ ...image('p', 5 * HOUR, ['cats', 'dogs']), embedding });
    const bytes = serialize({ userId: 'user-0001', trigger: 'new_pin', pinId: 'p', pin: carriedPin(pin) });
    assert.ok(bytes.length < 300, `${bytes.length} bytes`);
    const back = pinFromCarried((deserialize(bytes) as { pin: ReturnType<typeof carriedPin> }).pin);
    assert.deepEqual(back, { ...pin, embedding, counts: {}, updatedAt: pin.createdAt });
    assert.ok(Array.isArray(back.embedding), 'a plain list again, as the global store holds it');
  });

  it('is not proposed when the user filtered it, and the index\'s own entry wins once it has one', () => {
    const view = new MapView();
    const index = new PinIndex(view, settings);
    const stored = index.addPin(image('p', 0, ['cats']));
    stored.counts.save = 3;
    const carried = { ...stored, counts: {} };
    assert.equal(withPin(view, carried).get<typeof stored>(pinKey('p'))?.counts.save, 3);
    const user = emptyUserFeatures(32);
    assert.ok(!retrieveCandidates(user, withPin(view, carried), settings, 1, (id) => id === 'p', 'p').some((c) => c.pinId === 'p'));
  });
});

describe('filtered pins (flagship user features)', () => {
  it('filters hidden, saved and shown pins until they expire, and nothing else', () => {
    const f = emptyUserFeatures(32);
    f.closed = { hidden: 100, old: 10 };
    f.shown = { seen: 60 };
    const at50 = filteredPins(f, 50);
    assert.deepEqual(['hidden', 'seen', 'old', 'other'].map(at50), [true, true, false, false]);
    const at70 = filteredPins(f, 70);
    assert.deepEqual(['hidden', 'seen'].map((p) => at70(p)), [true, false]);
    assert.equal(filteredPins(emptyUserFeatures(32), 0)('any'), false);
  });
});
