import type { OperatorSpec } from '../../../operators/operator-spec';
import type { StreamRecord } from '../../../core/stream-record';
import { POSITIVE_ACTIONS, type EngagementEvent } from '../generate/home-feed-events';
import { batchOperator } from '../../../operators/batch-operator';
import { PinIndex, pinKey, type PinState } from '../lib/pin-index';
import { feedStoreOptions, feedStoreViews } from '../lib/feed-stores';
import { emptyUserFeatures, recentPositivePins, updateUserFeatures, type UserFeatures } from '../lib/user-features';
import { MODEL_EMBEDDING_DIM } from '../lib/ranking-request';
import { settingsFrom, settingsOptions } from '../lib/settings-options';

/**
 * User features and pin counters from engagement events, in one pass: decayed
 * action counters (1 h / 1 d / 7 d), short/long interest and hide embeddings,
 * label and category affinities, the last-N sequence, the hidden/saved set
 * (TTL) and recently shown pins; on the pin side decayed counters, popularity
 * lists and co-engagement. Emits a trigger for the user's feed: `engagement`
 * after a positive action, `hide` when a pin of the current feed was hidden.
 */
export const spec: OperatorSpec = {
  name: 'update-user-features',
  summary: 'Fold an engagement into the user features and pin counters; emit engagement/hide feed triggers.',
  stateful: true,
  example: ['- id: user-features', '  operator: ./operators/update-user-features.ts', '  options:', '    users: user-features', '    index: pin-index'].join('\n'),
  options: {
    ...feedStoreOptions,
    ...settingsOptions,
  },
  create(options, context) {
    const settings = settingsFrom(options);
    return batchOperator(async (records) => {
      const { users, pins } = feedStoreViews(options, context);
      const events = records.map((r) => r.value as EngagementEvent);
      await users.load(events.map((e) => e.userId));
      // Previous positive pins come from features that earlier records of this batch may change: load generously.
      await pins.load(events.flatMap((e) => PinIndex.keysForEngagement(e, recentPositivePins(users.get<UserFeatures>(e.userId) ?? emptyUserFeatures(0), 3))));
      await pins.load(events.flatMap((e) => [...events.filter((o) => o.userId === e.userId).map((o) => pinKey(o.pinId))]));
      const known = events.map((e) => pins.get<PinState>(pinKey(e.pinId))).filter((p): p is PinState => p !== undefined);
      await pins.load(known.flatMap((p) => PinIndex.keysForPin(p)));
      const index = new PinIndex(pins, settings);
      const out: StreamRecord[] = [];
      records.forEach((record, i) => {
        const event = events[i];
        const f = users.get<UserFeatures>(event.userId) ?? emptyUserFeatures(MODEL_EMBEDDING_DIM);
        const previous = POSITIVE_ACTIONS.has(event.action) ? recentPositivePins(f, 3) : [];
        updateUserFeatures(f, event, pins.get<PinState>(pinKey(event.pinId)), settings);
        index.recordEngagement(event, previous);
        users.put(event.userId, f);
        const trigger = event.action === 'hide' ? (f.lastTop.includes(event.pinId) ? 'hide' : undefined)
          : POSITIVE_ACTIONS.has(event.action) ? 'engagement' : undefined;
        if (trigger) out.push({ ...record, key: event.userId, value: { userId: event.userId, trigger, pinId: event.pinId } });
      });
      return out;
    });
  },
};
