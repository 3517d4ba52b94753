import { defineOperator } from '../../../operators/operator-spec';
import type { StreamRecord } from '../../../core/stream-record';
import { batchOperator } from '../../../operators/batch-operator';
import { feedStoreReadOptions, feedStoreViews } from '../lib/feed-stores';
import { filteredPins, type UserFeatures } from '../lib/user-features';
import { retrieveCandidates } from '../lib/candidate-retrieval';
import { buildRankingRequest, MODEL_EMBEDDING_DIM } from '../lib/ranking-request';
import { pinFromCarried, withPin, type CarriedPin } from '../lib/pin-index';
import { settingsFrom, settingsOptions } from '../lib/settings-options';

/** A feed trigger: which user, why, and the pin that caused it (a new pin's entry travels with it). */
export interface FeedTrigger {
  readonly userId: string;
  readonly trigger: 'engagement' | 'hide' | 'new_pin';
  readonly pinId: string;
  readonly pin?: CarriedPin;
}

/**
 * Candidate retrieval and feature assembly for a feed trigger: 200–500
 * candidates from the user's interest categories, co-engagement, labels,
 * fresh pins and popularity (hidden, saved and just-shown pins left out),
 * and the model's inputs as plain values (`seq_*`, `interest`,
 * `hide_embedding`, `candidates[]` with `embedding` and `features`) for the
 * `score` step. Reads the pin index in rounds: lists first, then their pins.
 */
export const spec = defineOperator({
  name: 'retrieve-candidates',
  summary: 'Retrieve a user\'s candidates from the pin indexes and build the ranking model\'s inputs.',
  stateful: true,
  example: ['- id: candidates', '  operator: ./operators/retrieve-candidates.ts', '  options:', '    users: user-features', '    index: pin-features'].join('\n'),
  options: {
    ...feedStoreReadOptions,
    ...settingsOptions,
  },
  create(options, context) {
    const settings = settingsFrom(options);
    return batchOperator(async (records) => {
      const { users, pins } = feedStoreViews(options, context);
      const triggers = records.map((r) => r.value as FeedTrigger);
      await users.load(triggers.map((t) => t.userId));
      const requests = await pins.resolveEach(records.map((record, i) => ({ record, trigger: triggers[i] })), ({ record, trigger }) => {
        const f = users.get<UserFeatures>(trigger.userId);
        if (!f) return undefined;
        const now = record.timestamp;
        // A carried pin whose embedding did not survive its trip (a store that wrote it as JSON)
        // is not used, and counted: the pin is then a candidate once the global store has it.
        const carried = trigger.pin?.embedding instanceof Float32Array && trigger.pin.embedding.length === MODEL_EMBEDDING_DIM ? trigger.pin : undefined;
        if (trigger.pin && !carried) context.count?.('carried_pin_unreadable', 1);
        const view = carried ? withPin(pins, pinFromCarried(carried)) : pins;
        const candidates = retrieveCandidates(f, view, settings, now, filteredPins(f, now), carried?.pinId);
        return buildRankingRequest(f, candidates, view, settings, now);
      });
      const out: StreamRecord[] = [];
      records.forEach((record, i) => {
        const request = requests[i];
        if (!request || request.candidates.length === 0) {
          context.count?.('no_candidates', 1);
          return;
        }
        const { pin: _carried, ...trigger } = triggers[i];
        out.push({ ...record, value: { ...trigger, ...request } });
      });
      return out;
    });
  },
});
