import { defineOperator } from '../../../operators/operator-spec';
import type { StreamRecord } from '../../../core/stream-record';
import { POSITIVE_ACTIONS, type EngagementEvent } from '../generate/home-feed-events';
import { batchOperator } from '../../../operators/batch-operator';
import { pinKey, type PinState } from '../lib/pin-index';
import type { PinIndexUpdate } from '../lib/pin-index-update';
import { feedStoreOptions, feedStoreViews } from '../lib/feed-stores';
import { emptyUserFeatures, recentPositivePins, updateUserFeatures, type UserFeatures } from '../lib/user-features';
import { MODEL_EMBEDDING_DIM } from '../lib/ranking-request';
import { settingsFrom, settingsOptions } from '../lib/settings-options';

/**
 * User features from engagement events: decayed action counters (1 h / 1 d /
 * 7 d), short/long interest and hide embeddings, label and category
 * affinities, the last-N sequence, the hidden/saved set (TTL) and recently
 * shown pins, with the engaged pin's content read from the pin features.
 * Sends each engagement, with the user's previous positive pins, to the
 * `indexUpdates` pipeline (pin counters, popularity, co-engagement live in
 * the pin index, which one task keeps). Emits a trigger for the user's feed:
 * `engagement` after a positive action, `hide` when a pin of the current
 * feed was hidden.
 *
 * ```
 * u1:{click p1} ─ u1:{hide p9 (listed)} ─|
 * u1:{engagement p1} ─ u1:{hide p9} ─|     indexUpdates: {engagement p1, previous […]}, {engagement p9, …}
 * ```
 */
export const spec = defineOperator({
  name: 'update-user-features',
  summary: 'Fold an engagement into the user features; send it to the pin index; emit engagement/hide feed triggers.',
  stateful: true,
  example: ['- id: user-features', '  operator: ./operators/update-user-features.ts', '  options:', '    users: user-features', '    index: pin-features', '    indexUpdates: pin-index'].join('\n'),
  options: {
    ...feedStoreOptions,
    indexUpdates: { kind: 'pipeline', required: true, description: 'Pipeline receiving one pin-index update per engagement (it re-keys them to the index task).' },
    ...settingsOptions,
  },
  // What the feed-trigger filters after it read: validate checks `value.trigger` and friends against it.
  output: {
    value: {
      type: 'record', name: 'FeedTrigger',
      fields: [{ name: 'userId', type: 'string' }, { name: 'trigger', type: 'string' }, { name: 'pinId', type: 'string' }],
    },
  },
  create(options, context) {
    const settings = settingsFrom(options);
    const updatesTo = options.indexUpdates;
    return batchOperator(async (records) => {
      const { users, pins } = feedStoreViews(options, context);
      const events = records.map((r) => r.value as EngagementEvent);
      await users.load(events.map((e) => e.userId));
      await pins.load(events.map((e) => pinKey(e.pinId)));
      const out: StreamRecord[] = [];
      records.forEach((record, i) => {
        const event = events[i];
        const f = users.get<UserFeatures>(event.userId) ?? emptyUserFeatures(MODEL_EMBEDDING_DIM);
        const previous = POSITIVE_ACTIONS.has(event.action) ? recentPositivePins(f, 3) : [];
        updateUserFeatures(f, event, pins.get<PinState>(pinKey(event.pinId)), settings);
        users.stage(event.userId, f);
        const update: PinIndexUpdate = { kind: 'engagement', event, previous };
        context.sideOutput(updatesTo, { ...record, value: update });
        const trigger = event.action === 'hide' ? (f.lastTop.includes(event.pinId) ? 'hide' : undefined)
          : POSITIVE_ACTIONS.has(event.action) ? 'engagement' : undefined;
        if (trigger) out.push({ ...record, key: event.userId, value: { userId: event.userId, trigger, pinId: event.pinId } });
      });
      // Once per user per batch: the features are one JSON value, serialized at each put.
      users.flush();
      return out;
    });
  },
});
