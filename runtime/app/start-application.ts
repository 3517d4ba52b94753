import type { CompiledTopology, CompressionCodec } from '../../topology/compiled-topology';
import type { ScoringService } from '../../core/scoring/scoring-service';
import { createLogger, type Logger } from '../../core/logger';
import type { KafkaClient } from '../kafka/client/kafka-client';
import type { Telemetry } from '../telemetry';
import type { ScoringPool } from '../scoring/scoring-pool';
import type { TaskStores } from '../state/task-stores';
import { StreamApp, type TaskResources } from '../kafka/stream-app';
import type { BatchPipeline } from '../kafka/stream-task';
import { createTaskPipeline } from '../kafka/pipeline-factory';
import { openTaskStores } from '../kafka/task-state';
import type { GlobalStores } from '../kafka/global-stores';
import { startScoring, type ScoringSetup } from './scoring-setup';
import { StoreQueries } from '../kafka/store-queries';
import { STORE_QUERY_PREFIX, storeQueryRoutes } from '../kafka/store-query-routes';
import { checkAdvertisedEndpoint, checkGroupInstanceId } from '../kafka/client/group-endpoints';

/** Everything a running application needs beyond its topology; every part has a default. */
export interface ApplicationOptions {
  readonly topology: CompiledTopology;
  readonly logger?: Logger;
  /** Metrics, traces and readiness; when given, every step is measured (counts, durations, operator events). */
  readonly telemetry?: Telemetry;
  /**
   * How to score when the topology has `score` steps: the root starts this pool and closes it
   * on stop. Default: one local CPU worker. Ignored when `scoring` is given.
   */
  readonly scoringSetup?: ScoringSetup;
  /** A scoring service the caller owns (starts and closes). */
  readonly scoring?: ScoringService;
  /** Create missing sinks, DLQ and internal topics (default) or fail naming them. */
  readonly topicCreation?: 'create' | 'require';
  readonly compression?: CompressionCodec;
  readonly maxBytesPerPartition?: number;
  readonly partitionsConsumedConcurrently?: number;
  /** The Kafka client behind the seam (default: kafkajs with the topology's `kafka` settings). */
  readonly client?: KafkaClient;
  /**
   * `host:port` other processes and clients reach this process's HTTP endpoint at (Kafka
   * Streams' application.server): advertised to the group so that interactive queries for
   * keys owned elsewhere are redirected there. Default: none (such queries answer 421).
   */
  readonly advertisedEndpoint?: string;
  /** Static membership (group.instance.id); overrides the topology's `processing.groupInstanceId`. */
  readonly groupInstanceId?: string;
  /** How long start-up waits for a broker before failing with one error naming the brokers (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** Told when the application fails for good; it is stopping. */
  readonly onFatal?: (error: unknown) => void;
  /** Seams for tests: wrap a task's pipeline, or run something before a task opens its stores. */
  readonly seams?: {
    readonly wrapPipeline?: (pipeline: BatchPipeline, resources: TaskResources) => BatchPipeline;
    readonly beforeOpenStores?: (resources: Omit<TaskResources, 'stores' | 'schedulePunctuation'>) => Promise<void>;
  };
}

/** A started application. */
export interface RunningApplication {
  /** The scoring pool the root started, when the topology scores and no service was given. */
  readonly scoringPool?: ScoringPool;
  /** The process's global stores (read-only), when the topology declares any. */
  readonly globalStores: GlobalStores | undefined;
  /** Interactive queries over this process's stores (served under /v1/stores when telemetry has an endpoint). */
  readonly storeQueries: StoreQueries;
  /** Finishes the batches in hand, commits, leaves the group, then closes what the root started. */
  stop(): Promise<void>;
}

const defaultScoring: ScoringSetup = { localWorkers: 1, providers: ['cpu'], remoteEndpoints: [] };

/**
 * The composition root: the one place a topology becomes a running member of its consumer
 * group. `tributary run`, the flagship demo, the benchmarks and the tests all start here, so
 * what they run is what production runs: the same pipeline factory, stores, scoring and step
 * instrumentation. Resolves once the app has joined the group and its tasks are restored.
 */
export async function startApplication(options: ApplicationOptions): Promise<RunningApplication> {
  const { topology } = options;
  if (options.advertisedEndpoint !== undefined) checkAdvertisedEndpoint(options.advertisedEndpoint);
  if (options.groupInstanceId !== undefined) checkGroupInstanceId(options.groupInstanceId);
  const logger = options.logger ?? createLogger(topology.name);
  const scoringPool = options.scoring ? undefined : await startScoring(topology, options.scoringSetup ?? defaultScoring, logger);
  const scoring = options.scoring ?? scoringPool;
  const meter = options.telemetry?.metrics;
  const seams = options.seams ?? {};
  const app = new StreamApp({
    topology,
    logger,
    ...(options.telemetry ? { telemetry: options.telemetry } : {}),
    ...(options.topicCreation ? { topicCreation: options.topicCreation } : {}),
    ...(options.compression ? { compression: options.compression } : {}),
    ...(options.maxBytesPerPartition !== undefined ? { maxBytesPerPartition: options.maxBytesPerPartition } : {}),
    ...(options.partitionsConsumedConcurrently !== undefined ? { partitionsConsumedConcurrently: options.partitionsConsumedConcurrently } : {}),
    ...(options.client ? { client: options.client } : {}),
    ...(options.advertisedEndpoint ? { advertisedEndpoint: options.advertisedEndpoint } : {}),
    ...(options.groupInstanceId ? { groupInstanceId: options.groupInstanceId } : {}),
    ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
    createPipeline: async (resources) => {
      const pipeline = await createTaskPipeline(topology, resources, { scoring, meter });
      return seams.wrapPipeline ? seams.wrapPipeline(pipeline, resources) : pipeline;
    },
    openStores: async (resources, kafka, heartbeat): Promise<TaskStores | undefined> => {
      await seams.beforeOpenStores?.(resources);
      return openTaskStores(topology, resources, kafka, heartbeat, logger);
    },
    onFatal: (error) => options.onFatal?.(error),
  });
  const storeQueries = new StoreQueries(app.storeAccess());
  // Mounted before the group is joined: until tasks are open, queries answer 503 (restoring, no owner yet).
  options.telemetry?.mount(STORE_QUERY_PREFIX, storeQueryRoutes(storeQueries, logger));
  try {
    await app.start();
  } catch (error) {
    options.telemetry?.unmount(STORE_QUERY_PREFIX);
    await app.stop().catch(() => undefined);
    await scoringPool?.close();
    throw error;
  }
  return {
    ...(scoringPool ? { scoringPool } : {}),
    get globalStores() { return app.globals; },
    storeQueries,
    async stop() {
      try {
        options.telemetry?.unmount(STORE_QUERY_PREFIX);
        await app.stop();
      } finally {
        await scoringPool?.close();
      }
    },
  };
}
