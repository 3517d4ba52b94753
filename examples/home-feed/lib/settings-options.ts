import type { OptionSpecs, OptionValues } from '../../../operators/operator-spec';
import { DEFAULT_HOME_FEED_SETTINGS, type HomeFeedSettings } from './home-feed-settings';

/** Options every home-feed step accepts to override a tunable (durations in ms after resolution). */
export const settingsOptions = {
  topK: { kind: 'integer', description: 'Length of the emitted list.', default: DEFAULT_HOME_FEED_SETTINGS.topK },
  minCandidates: { kind: 'integer', description: 'Fewest candidates per update (popular pins fill up).', default: DEFAULT_HOME_FEED_SETTINGS.minCandidates },
  maxCandidates: { kind: 'integer', description: 'Most candidates per update.', default: DEFAULT_HOME_FEED_SETTINGS.maxCandidates },
  sequenceLength: { kind: 'integer', description: 'Actions kept in the user sequence (the model reads 16).', default: DEFAULT_HOME_FEED_SETTINGS.sequenceLength },
  closedTtl: { kind: 'duration', description: 'How long hidden and saved pins stay filtered.', default: '30d' },
  shownTtl: { kind: 'duration', description: 'How long a shown pin stays filtered.', default: '1h' },
  freshWindow: { kind: 'duration', description: 'Age under which a pin counts as fresh.', default: '1d' },
} as const satisfies OptionSpecs;

/** The settings with a step's overrides applied (validate filled every default; durations in ms). */
export function settingsFrom(options: OptionValues<typeof settingsOptions>): HomeFeedSettings {
  const { topK, minCandidates, maxCandidates, sequenceLength, closedTtl, shownTtl, freshWindow } = options;
  return { ...DEFAULT_HOME_FEED_SETTINGS, topK, minCandidates, maxCandidates, sequenceLength, closedTtl, shownTtl, freshWindow };
}
