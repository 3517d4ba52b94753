import type { OptionSpec, ResolvedOptions } from '../../../operators/operator-spec';
import { DEFAULT_HOME_FEED_SETTINGS, type HomeFeedSettings } from './home-feed-settings';

/** Options every home-feed step accepts to override a tunable (durations in ms after resolution). */
export const settingsOptions: Readonly<Record<string, OptionSpec>> = {
  topK: { kind: 'integer', description: 'Length of the emitted list.', default: DEFAULT_HOME_FEED_SETTINGS.topK },
  minCandidates: { kind: 'integer', description: 'Fewest candidates per update (popular pins fill up).', default: DEFAULT_HOME_FEED_SETTINGS.minCandidates },
  maxCandidates: { kind: 'integer', description: 'Most candidates per update.', default: DEFAULT_HOME_FEED_SETTINGS.maxCandidates },
  sequenceLength: { kind: 'integer', description: 'Actions kept in the user sequence (the model reads 16).', default: DEFAULT_HOME_FEED_SETTINGS.sequenceLength },
  closedTtl: { kind: 'duration', description: 'How long hidden and saved pins stay filtered.', default: '30d' },
  shownTtl: { kind: 'duration', description: 'How long a shown pin stays filtered.', default: '1h' },
  freshWindow: { kind: 'duration', description: 'Age under which a pin counts as fresh.', default: '1d' },
};

/** The settings with a step's overrides applied. */
export function settingsFrom(options: ResolvedOptions): HomeFeedSettings {
  const pick = <K extends keyof HomeFeedSettings>(name: K): HomeFeedSettings[K] =>
    (typeof options[name] === 'number' ? options[name] : DEFAULT_HOME_FEED_SETTINGS[name]) as HomeFeedSettings[K];
  return {
    ...DEFAULT_HOME_FEED_SETTINGS,
    topK: pick('topK'), minCandidates: pick('minCandidates'), maxCandidates: pick('maxCandidates'),
    sequenceLength: pick('sequenceLength'), closedTtl: pick('closedTtl'), shownTtl: pick('shownTtl'), freshWindow: pick('freshWindow'),
  };
}
