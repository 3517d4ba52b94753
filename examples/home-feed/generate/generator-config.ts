import { ConfigError } from '../../../core/errors';

/**
 * What shapes a generated home-feed stream. Every field has a default; the
 * same config and seed give the same events, byte for byte.
 */
export interface GeneratorConfig {
  /** PRNG seed: the whole world and stream follow from it. */
  readonly seed: number;
  /** Events to produce in all: image events, engagements and held-out engagements. */
  readonly totalEvents: number;
  /** Number of users; their activity follows a Zipf law. */
  readonly users: number;
  /** Pins that exist before the stream starts (emitted first as image events). */
  readonly initialPins: number;
  /** Number of latent interests; each has a category, a label vocabulary and an embedding centroid. */
  readonly interests: number;
  /** Most interests one user has (each user gets 1..this many, weighted). */
  readonly maxInterestsPerUser: number;
  /** Zipf exponent of user activity (rank r is chosen with weight 1/r^s). */
  readonly zipfExponent: number;
  /** Chance that a shown pin comes from one of the user's interests (the rest are off-interest exploration). */
  readonly onInterestShare: number;
  /** Share of post-start events that are new pins arriving. */
  readonly newPinShare: number;
  /** Final share of engagement events withheld from the stream and returned as held-out (future) engagements. */
  readonly holdoutShare: number;
  /** Event time of the first engagement, epoch ms. */
  readonly startTime: number;
  /** Event-time span the engagements cover, ms (decay half-lives of 1 h / 1 d / 7 d need hours to days). */
  readonly spanMs: number;
}

/** Defaults: a stream a 2-core machine replays in about a minute. */
export const DEFAULT_GENERATOR_CONFIG: GeneratorConfig = {
  seed: 42,
  totalEvents: 100_000,
  users: 2_000,
  initialPins: 3_000,
  interests: 12,
  maxInterestsPerUser: 3,
  zipfExponent: 1.0,
  onInterestShare: 0.75,
  newPinShare: 0.01,
  holdoutShare: 0.1,
  startTime: Date.UTC(2026, 0, 5, 0, 0, 0),
  spanMs: 2 * 24 * 3600 * 1000,
};

/** Fills defaults and checks ranges; a ConfigError lists every problem at once. */
export function resolveGeneratorConfig(partial: Partial<GeneratorConfig> = {}): GeneratorConfig {
  const config: GeneratorConfig = { ...DEFAULT_GENERATOR_CONFIG, ...dropUndefined(partial) };
  const problems: string[] = [];
  const integer = (name: keyof GeneratorConfig, min: number): void => {
    const v = config[name];
    if (!Number.isInteger(v) || v < min) problems.push(`${name} must be an integer >= ${min} (got ${v})`);
  };
  const share = (name: keyof GeneratorConfig, max = 1): void => {
    const v = config[name];
    if (typeof v !== 'number' || !(v >= 0 && v <= max)) problems.push(`${name} must be a number in [0, ${max}] (got ${v})`);
  };
  integer('seed', 0);
  integer('users', 1);
  integer('initialPins', 1);
  integer('interests', 1);
  integer('maxInterestsPerUser', 1);
  integer('totalEvents', 1);
  integer('startTime', 0);
  integer('spanMs', 1);
  share('onInterestShare');
  share('newPinShare', 0.5);
  share('holdoutShare', 0.9);
  if (!(config.zipfExponent >= 0 && config.zipfExponent <= 3)) problems.push(`zipfExponent must be in [0, 3] (got ${config.zipfExponent})`);
  if (config.totalEvents <= config.initialPins) {
    problems.push(`totalEvents (${config.totalEvents}) must exceed initialPins (${config.initialPins}): the initial pins are emitted first`);
  }
  if (config.maxInterestsPerUser > config.interests) {
    problems.push(`maxInterestsPerUser (${config.maxInterestsPerUser}) cannot exceed interests (${config.interests})`);
  }
  if (problems.length) throw new ConfigError(`invalid generator config: ${problems.join('; ')}`);
  return config;
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
