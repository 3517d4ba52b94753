import { defineOperator } from '../../../operators/operator-spec';
import type { StreamRecord } from '../../../core/stream-record';
import type { RecommendationEvent } from '../generate/home-feed-events';
import { batchOperator } from '../../../operators/batch-operator';
import { StoreView } from '../lib/store-view';
import { filteredPins, type UserFeatures } from '../lib/user-features';
import { assembleFeed, contentHash, isMaterialChange } from '../lib/feed-assembly';
import type { ScoredCandidateInput } from '../lib/ranking-request';
import { settingsFrom, settingsOptions } from '../lib/settings-options';
import type { FeedTrigger } from './retrieve-candidates';

interface ScoredRecord extends FeedTrigger {
  readonly candidates: ScoredCandidateInput[];
  readonly scores: { readonly modelVersion: string; readonly utility: number[] };
}

/**
 * The end of the funnel: blends the model's utility with a popularity prior,
 * drops pins hidden, saved or shown since retrieval, caps pins per label in
 * the top 10, cuts at top-K, and emits a `recommendation` only when the top
 * changed materially (or a listed pin was hidden), with the user's next
 * version and the list's content hash.
 */
export const spec = defineOperator({
  name: 'assemble-feed',
  summary: 'Filter, diversify and cut the scored candidates; emit a versioned, hashed recommendation on material change.',
  stateful: true,
  example: ['- id: feed', '  operator: ./operators/assemble-feed.ts', '  options:', '    users: user-features'].join('\n'),
  options: {
    users: { kind: 'store', access: 'shared', required: true, description: 'Per-user features (holds the version and last emitted top); written with update-user-features.' },
    ...settingsOptions,
  },
  create(options, context) {
    const settings = settingsFrom(options);
    return batchOperator(async (records) => {
      const users = new StoreView(context.keyValueStore<string, unknown>(options.users), options.users);
      const values = records.map((r) => r.value as ScoredRecord);
      await users.load(values.map((v) => v.userId));
      const out: StreamRecord[] = [];
      records.forEach((record, i) => {
        const v = values[i];
        const f = users.get<UserFeatures>(v.userId);
        if (!f) return;
        const now = record.timestamp;
        const filtered = filteredPins(f, now);
        const items = assembleFeed(v.candidates, v.scores.utility, settings, filtered);
        if (!isMaterialChange(f.lastTop, items, settings, filtered)) {
          context.count?.('unchanged_dropped', 1);
          return;
        }
        f.version += 1;
        f.lastTop = items.map((item) => item.pinId);
        f.lastHash = contentHash(items);
        users.put(v.userId, f);
        const recommendation: RecommendationEvent = {
          // The user's newest reflected action, not the trigger's time: a trigger
          // from the images topic can run ahead of the user's engagements.
          userId: v.userId, version: f.version, generatedAt: Math.round(context.wallClock()), eventTime: f.updatedAt || now,
          trigger: v.trigger, modelVersion: `home-feed-ranker@${v.scores.modelVersion}`, items, contentHash: f.lastHash,
        };
        out.push({ key: v.userId, value: recommendation, timestamp: now, headers: record.headers, source: record.source });
      });
      return out;
    });
  },
});
