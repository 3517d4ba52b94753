import { defineOperator } from '../../../operators/operator-spec';
import type { StreamRecord } from '../../../core/stream-record';
import { POSITIVE_ACTIONS, type EngagementEvent } from '../generate/home-feed-events';
import { batchOperator } from '../../../operators/batch-operator';
import { pinKey, type PinState } from '../lib/pin-index';
import { MAX_ENGAGEMENTS_PER_UPDATE, PIN_INDEX_KEY, type IndexedEngagement, type PinIndexUpdate } from '../lib/pin-index-update';
import { feedStoreOptions, feedStoreViews } from '../lib/feed-stores';
import { emptyUserFeatures, recentPositivePins, updateUserFeatures, type UserFeatures } from '../lib/user-features';
import { MODEL_EMBEDDING_DIM } from '../lib/ranking-request';
import { settingsFrom, settingsOptions } from '../lib/settings-options';

/**
 * User features from engagement events: decayed action counters (1 h / 1 d /
 * 7 d), short/long interest and hide embeddings, label and category
 * affinities, the last-N sequence, the hidden/saved set (TTL) and recently
 * shown pins, with the engaged pin's content read from the pin features.
 * Sends the batch's engagements, each with the user's previous positive pins,
 * to the `indexUpdates` pipeline as one record (pin counters, popularity,
 * co-engagement live in the pin index, which one task keeps). Emits a
 * trigger for the user's feed:
 * `engagement` after a positive action, `hide` when a pin of the current
 * feed was hidden.
 *
 * ```
 * u1:{click p1} ─ u1:{hide p9 (listed)} ─|
 * u1:{engagement p1} ─ u1:{hide p9} ─|     indexUpdates: {engagements: [{p1, previous […]}, {p9, …}]}
 * ```
 */
export const spec = defineOperator({
  name: 'update-user-features',
  summary: 'Fold an engagement into the user features; send it to the pin index; emit engagement/hide feed triggers.',
  stateful: true,
  example: ['- id: user-features', '  operator: ./operators/update-user-features.ts', '  options:', '    users: user-features', '    index: pin-features', '    indexUpdates: pin-index'].join('\n'),
  options: {
    ...feedStoreOptions,
    indexUpdates: { kind: 'pipeline', required: true, description: 'Pipeline receiving the engagements of each batch as one pin-index update (it re-keys them to the index task).' },
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
    // One record per batch (in slices), stamped with its newest engagement's time: the index
    // task's stream time then never runs behind what it has applied.
    const sendToIndex = (engagements: IndexedEngagement[], records: readonly StreamRecord[]): void => {
      for (let from = 0; from < engagements.length; from += MAX_ENGAGEMENTS_PER_UPDATE) {
        const to = Math.min(engagements.length, from + MAX_ENGAGEMENTS_PER_UPDATE);
        let timestamp = records[from].timestamp;
        for (let i = from + 1; i < to; i++) timestamp = Math.max(timestamp, records[i].timestamp);
        const update: PinIndexUpdate = { kind: 'engagements', engagements: engagements.slice(from, to) };
        context.sideOutput(updatesTo, { key: PIN_INDEX_KEY, value: update, timestamp, headers: {}, source: records[to - 1].source });
      }
    };
    return batchOperator(async (records) => {
      const { users, pins } = feedStoreViews(options, context);
      const events = records.map((r) => r.value as EngagementEvent);
      await users.load(events.map((e) => e.userId));
      await pins.load(events.map((e) => pinKey(e.pinId)));
      const out: StreamRecord[] = [];
      const engagements: IndexedEngagement[] = [];
      records.forEach((record, i) => {
        const event = events[i];
        const f = users.get<UserFeatures>(event.userId) ?? emptyUserFeatures(MODEL_EMBEDDING_DIM);
        const previous = POSITIVE_ACTIONS.has(event.action) ? recentPositivePins(f, 3) : [];
        updateUserFeatures(f, event, pins.get<PinState>(pinKey(event.pinId)), settings);
        users.stage(event.userId, f);
        engagements.push({ userId: event.userId, pinId: event.pinId, action: event.action, eventTime: event.eventTime, previous });
        const trigger = event.action === 'hide' ? (f.lastTop.includes(event.pinId) ? 'hide' : undefined)
          : POSITIVE_ACTIONS.has(event.action) ? 'engagement' : undefined;
        if (trigger) out.push({ ...record, key: event.userId, value: { userId: event.userId, trigger, pinId: event.pinId } });
      });
      sendToIndex(engagements, records);
      // Once per user per batch: the features are one JSON value, serialized at each put.
      users.flush();
      return out;
    });
  },
});
