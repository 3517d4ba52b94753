import * as path from 'node:path';
import { loadTopology, formatProblem } from '../../topology';
import { createLogger, type Logger } from '../../core/logger';
import { startApplication } from '../../runtime/app/start-application';
import type { ScoringPool } from '../../runtime/scoring/scoring-pool';
import { ConfigError } from '../../core/errors';
import { RANKER_DIR } from './home-feed-replay';
import type { Schema } from 'avsc';
import { AvroSerde } from '../../schemas/serde-avro';
import { createRegistryClient } from '../../schemas/registry-client';
import { loadHomeFeedSchema, type HomeFeedSchemaName } from './generate/home-feed-schemas';

/** The flagship topology file. */
export const HOME_FEED_TOPOLOGY = path.resolve(__dirname, '..', '..', '..', 'examples', 'home-feed', 'topology.yaml');

export interface HomeFeedAppOptions {
  /** `${VAR}` values for the topology: topics, APP_ID, STATE_DIR, brokers, registry. */
  readonly env: Readonly<Record<string, string>>;
  /** Local scoring worker threads (default 1). */
  readonly scoringWorkers?: number;
  readonly logger?: Logger;
  /** Upper bound of one fetch per partition (default 32 KiB, ~250 engagements). */
  readonly maxBytesPerPartition?: number;
  /** Told when the app fails for good. */
  readonly onFatal?: (error: unknown) => void;
}

/** A running flagship application and its scoring pool. */
export interface RunningHomeFeedApp {
  readonly pool: ScoringPool;
  stop(): Promise<void>;
}

/**
 * Runs the flagship topology against Kafka in this process with a local
 * scoring pool holding the shipped model: what `tributary run` does, plus
 * the pool (until `run` starts one from its own flags).
 */
export async function startHomeFeedApp(options: HomeFeedAppOptions): Promise<RunningHomeFeedApp> {
  const env = { ...process.env, RANKER_DIR, ...options.env };
  const { topology, problems } = loadTopology(HOME_FEED_TOPOLOGY, { env });
  if (!topology) throw new ConfigError(`flagship topology has problems:\n${problems.map(formatProblem).join('\n')}`);
  const logger = options.logger ?? createLogger('home-feed');
  // The flagship owns its three subjects: register its schemas (each checked
  // for compatibility first); the app itself never auto-registers.
  if (topology.schemaRegistry) {
    const registry = createRegistryClient({ url: topology.schemaRegistry.url });
    const owned: Array<[string | undefined, HomeFeedSchemaName]> = [
      [topology.sources.images?.topic, 'image'], [topology.sources.engagements?.topic, 'engagement'], [topology.sinks.recommendations?.topic, 'recommendation'],
    ];
    for (const [topic, name] of owned) {
      if (!topic) continue;
      await AvroSerde.create({ registry, subject: `${topic}-value`, schema: JSON.parse(loadHomeFeedSchema(name).text) as Schema, autoRegister: true });
    }
  }
  const app = await startApplication({
    topology, logger, topicCreation: 'create',
    scoringSetup: { localWorkers: options.scoringWorkers ?? 1, providers: ['cpu'], remoteEndpoints: [], intraOpThreads: 1 },
    // Fetch size: the topology's processing.maxPartitionFetchBytes (32 KiB), unless the caller overrides it.
    ...(options.maxBytesPerPartition !== undefined ? { maxBytesPerPartition: options.maxBytesPerPartition } : {}),
    onFatal: (error) => options.onFatal?.(error),
  });
  if (!app.scoringPool) throw new ConfigError('the flagship topology has no score step');
  return { pool: app.scoringPool, stop: () => app.stop() };
}
