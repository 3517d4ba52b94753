import type * as http from 'node:http';
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
import { Readiness, TelemetryServer } from '../../runtime/telemetry';
import type { StoreQueries } from '../../runtime/kafka/store-queries';
import { STORE_QUERY_PREFIX, storeQueryRoutes } from '../../runtime/kafka/store-query-routes';
import { FEEDS_PREFIX, feedRoute } from './feed-queries';

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
  /**
   * Serve `GET /feeds/{userId}` and the interactive queries (`/v1/stores/...`) on this address
   * and advertise it to the group, so a process asked for a user it does not hold redirects to
   * the one that does. `port` 0 picks a free port; `host` defaults to 127.0.0.1 (loopback only);
   * `advertisedHost` (default: `host`) is the name other processes and clients reach it at.
   * Default: no endpoint.
   */
  readonly queryEndpoint?: { readonly port: number; readonly host?: string; readonly advertisedHost?: string };
}

/** A running flagship application and its scoring pool. */
export interface RunningHomeFeedApp {
  readonly pool: ScoringPool;
  /** Interactive queries over the app's stores. */
  readonly storeQueries: StoreQueries;
  /** Base URL of the query endpoint (`/feeds/{userId}`, `/v1/stores/...`), when one is served. */
  readonly queryUrl?: string;
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
  const endpoint = options.queryEndpoint;
  if (endpoint?.host === '0.0.0.0' && endpoint.advertisedHost === undefined) {
    throw new ConfigError('queryEndpoint: a process bound to 0.0.0.0 needs advertisedHost, the name other processes and clients reach it at');
  }
  // Bound before the group is joined: the advertised address must be known (port 0 picks one).
  const server = endpoint ? await TelemetryServer.start({ host: endpoint.host ?? '127.0.0.1', port: endpoint.port }, queriesOnly, new Readiness()) : undefined;
  const advertisedEndpoint = server && endpoint ? `${endpoint.advertisedHost ?? endpoint.host ?? '127.0.0.1'}:${server.port}` : undefined;
  let app;
  try {
    app = await startApplication({
      topology, logger, topicCreation: 'create',
      ...(advertisedEndpoint ? { advertisedEndpoint } : {}),
    scoringSetup: { localWorkers: options.scoringWorkers ?? 1, providers: ['cpu'], remoteEndpoints: [], intraOpThreads: 1 },
    // Fetch size: the topology's processing.maxPartitionFetchBytes (32 KiB), unless the caller overrides it.
    ...(options.maxBytesPerPartition !== undefined ? { maxBytesPerPartition: options.maxBytesPerPartition } : {}),
      onFatal: (error) => options.onFatal?.(error),
    });
  } catch (error) {
    await server?.close();
    throw error;
  }
  const running = app;
  if (!running.scoringPool) {
    await running.stop();
    await server?.close();
    throw new ConfigError('the flagship topology has no score step');
  }
  server?.mount(STORE_QUERY_PREFIX, storeQueryRoutes(running.storeQueries, logger));
  server?.mount(FEEDS_PREFIX, feedRoute(running.storeQueries, logger));
  return {
    pool: running.scoringPool,
    storeQueries: running.storeQueries,
    ...(server ? { queryUrl: server.url } : {}),
    async stop() {
      try {
        await running.stop();
      } finally {
        await server?.close();
      }
    },
  };
}

/** The query endpoint serves queries only: metrics are `tributary run`'s (or the caller's startTelemetry). */
function queriesOnly(_req: http.IncomingMessage, res: http.ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain' }).end(`not served here: this endpoint answers ${FEEDS_PREFIX}/{userId} and ${STORE_QUERY_PREFIX}\n`);
}
