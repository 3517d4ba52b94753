import type { CompiledTopology, CompressionCodec, SubTopology } from '../../topology/compiled-topology';
import type { ConsumedMessage, ConsumerBatch, GroupConsumer, KafkaAdmin, KafkaClient, KafkaProducer } from './client/kafka-client';
import type { TaskStores } from '../state/task-stores';
import type { Logger } from '../../core/logger';
import { connectKafka } from './kafka-connection';
import { StreamTask, type BatchPipeline, type BatchCommitter } from './stream-task';
import { AtLeastOnceCommitter } from './committer-at-least-once';
import { ExactlyOnceCommitter } from './committer-exactly-once';
import { buildTopicCodecs, type TopicCodecs } from './topic-codecs';
import { decodeSkipReporter } from './decode-skip-reporter';
import { topicCompression, type TopicCompression } from './topic-compression';
import { ensureTopics, partitionCounts, type TopicRequirement } from './topic-admin';
import { TributaryError } from '../../core/errors';
import { seekToStableOffsets } from './stable-offsets';
import { planPartitions, type PartitionPlan } from './partition-plan';
import { EventTimeAligner } from './event-time-aligner';
import { AlignmentExchange, alignmentTopic, alignmentTopicConfig } from './alignment-exchange';
import { batchSpan, withStageSpans, type Telemetry } from '../telemetry';
import { context } from '@opentelemetry/api';
import type { BatchReport } from './stream-task';
import { GlobalStores } from './global-stores';

/** How long a batch held back whole by event-time alignment waits for another lane to move before it is fetched again. */
const ALIGNMENT_WAIT_MS = 100;

/** Everything a pipeline factory gets to build one task's in-process pipeline. */
export interface TaskResources {
  readonly taskId: string;
  readonly partition: number;
  readonly subTopology: SubTopology;
  readonly stores?: TaskStores;
  /** The process's global stores (read-only, shared by all tasks); absent when the topology declares none. */
  readonly globalStores?: GlobalStores;
  /** The pipeline asks for wall-clock punctuation at least every `intervalMs`. */
  readonly schedulePunctuation: (intervalMs: number) => void;
}

/** Options of a running application beyond what the topology file says. */
export interface StreamAppOptions {
  readonly topology: CompiledTopology;
  readonly logger: Logger;
  /** Builds a task's pipeline (TaskPipeline from runtime/processing in production). */
  readonly createPipeline: (resources: TaskResources) => Promise<BatchPipeline>;
  /** Opens (and restores) a task's stores; absent when the sub-topology has none. */
  readonly openStores?: (resources: Omit<TaskResources, 'stores' | 'schedulePunctuation'>, kafka: KafkaClient, heartbeat: () => Promise<void>) => Promise<TaskStores | undefined>;
  /** Create missing sinks, DLQ and internal topics (default) or fail naming them. */
  readonly topicCreation?: 'create' | 'require';
  /** Codec of produced batches for topics the topology file gives none (sink or `processing.compression`); default none. */
  readonly compression?: CompressionCodec;
  /** How many partitions' batches run at once (default: 2 × cores, at least 2). */
  readonly partitionsConsumedConcurrently?: number;
  /** Upper bound of one fetch per partition: bounds the records in flight per task (over the topology's processing.maxPartitionFetchBytes). */
  readonly maxBytesPerPartition?: number;
  /** Metrics and readiness; absent in tests that do not need them. */
  readonly telemetry?: Telemetry;
  /** Called when a batch failed for good: the app is stopping with this error. */
  readonly onFatal?: (error: unknown) => void;
  /** The Kafka client behind the seam; default: kafkajs with the topology's `kafka` settings (see kafka-connection.ts). */
  readonly client?: KafkaClient;
}

/*
 * Lifecycle:
 *
 *   created ──start()──▶ running ──stop()──▶ stopping ──▶ stopped
 *                           │                    ▲
 *                           └── fatal error ─────┘ (onFatal is told)
 */
type AppState = 'created' | 'running' | 'stopping' | 'stopped';

/**
 * A running application: one member of the consumer group named after the
 * topology. Each assigned partition of a sub-topology's source topics is a
 * task; batches of a partition are processed one after another (the group
 * consumer does not fetch a partition's next batch before its previous one
 * resolves, which is the backpressure), and different tasks' batches run
 * concurrently. Kafka is reached only through the client seam
 * (client/kafka-client.ts).
 */
export class StreamApp {
  private state: AppState = 'created';
  private readonly tasks = new Map<string, Promise<StreamTask>>();
  private consumer?: GroupConsumer;
  private producer?: KafkaProducer;
  /** exactly_once only: reads the group's stable offsets for new tasks (see stable-offsets.ts). */
  private admin?: KafkaAdmin;
  private codecs?: TopicCodecs;
  private globalStores?: GlobalStores;
  private readonly kafka: KafkaClient;
  private readonly topicToSubTopology = new Map<string, SubTopology>();
  private readonly punctuators = new Map<string, NodeJS.Timeout[]>();
  private readonly aligner: EventTimeAligner;
  /** Per input partition of a task this process keeps: the next offset its last commit covered. */
  private readonly committedPositions = new Map<string, bigint>();
  private exchange?: AlignmentExchange;

  constructor(private readonly options: StreamAppOptions) {
    this.kafka = options.client ?? connectKafka(options.topology.kafka, options.logger);
    this.aligner = new EventTimeAligner(options.topology.processing.maxEventTimeSkewMs, options.topology.processing.maxTaskIdleMs);
    for (const sub of options.topology.subTopologies) {
      for (const topic of sub.sourceTopics) this.topicToSubTopology.set(topic, sub);
    }
  }

  /** Tasks currently open, by id. */
  async openTasks(): Promise<StreamTask[]> {
    return Promise.all(this.tasks.values());
  }

  /** The process's global stores once started (read-only views); undefined when the topology has none. */
  get globals(): GlobalStores | undefined {
    return this.globalStores;
  }

  async start(): Promise<void> {
    if (this.state !== 'created') throw new Error(`cannot start an app that is ${this.state}`);
    const { topology, logger } = this.options;
    // A global store's topic that the app writes itself (through a sink) is created below as a sink;
    // no task reads it, so the partition plan does not need its count.
    const written = new Set(Object.values(topology.sinks).map((s) => s.topic));
    const ownGlobal = new Set(Object.values(topology.stores).flatMap((s) => (s.global && written.has(s.global.topic) ? [s.global.topic] : [])));
    const sourceTopics = Object.values(topology.sources).map((s) => s.topic).filter((t) => !ownGlobal.has(t));
    const admin = await this.kafka.admin();
    try {
      const sourcePartitions = await partitionCounts(admin, sourceTopics);
      const present = new Set(await admin.listTopics());
      const existingRepartition = await admin.partitionCounts(topology.repartitionTopics.map((r) => r.topic).filter((t) => present.has(t)));
      const plan = planPartitions(topology, sourcePartitions, existingRepartition);
      await ensureTopics(admin, this.requiredTopics(sourcePartitions, plan), this.options.topicCreation ?? 'create');
    } finally {
      await admin.close();
    }
    this.codecs = await buildTopicCodecs(topology, { onSkip: decodeSkipReporter(logger, this.options.telemetry?.metrics) });
    // Global stores are restored before the group is joined: no task runs without them.
    this.globalStores = await GlobalStores.start({ topology, client: this.kafka, codecs: this.codecs, logger, onFailure: (error) => this.fatal(error) });
    const exchangeAdmin = await this.kafka.admin();
    try {
      this.exchange = await AlignmentExchange.start(this.kafka, exchangeAdmin, topology.name, this.aligner, logger);
    } finally {
      await exchangeAdmin.close();
    }

    if (topology.processing.guarantee === 'at_least_once') this.producer = await this.kafka.producer();
    else this.admin = await this.kafka.admin();
    const allTopics = topology.subTopologies.flatMap((s) => s.sourceTopics);
    this.consumer = this.kafka.groupConsumer({
      groupId: topology.name,
      topics: allTopics.map((topic) => {
        const source = Object.values(topology.sources).find((s) => s.topic === topic);
        return { topic, fromBeginning: (source?.offsetReset ?? 'earliest') === 'earliest' };
      }),
      maxBytesPerPartition: this.options.maxBytesPerPartition ?? topology.processing.maxPartitionFetchBytes ?? 1024 * 1024,
      sessionTimeoutMs: topology.processing.sessionTimeoutMs,
      // A member that takes longer to rejoin (its tasks finishing a batch) is dropped from the group.
      rebalanceTimeoutMs: Math.max(60_000, topology.processing.sessionTimeoutMs),
      heartbeatIntervalMs: this.heartbeatIntervalMs(),
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 4,
      coPartitionGroups: topology.subTopologies.map((s) => s.sourceTopics),
    });
    this.state = 'running';
    await this.consumer.run({
      onAssignment: (assignment) => { void this.reconcileTasks(assignment).catch((error) => this.fatal(error)); },
      onBatch: (batch) => this.onBatch(batch),
      onFailure: (error) => this.fatal(error),
    });
    logger.info('application started', { app: topology.name, topics: allTopics.join(','), guarantee: topology.processing.guarantee, client: this.kafka.library });
  }

  /** Finish the batches in hand, commit, close every task, leave the group. */
  async stop(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    this.state = 'stopping';
    await this.consumer?.stop().catch(() => undefined);
    for (const id of [...this.punctuators.keys()]) this.stopPunctuation(id);
    const tasks = await Promise.allSettled(this.tasks.values());
    for (const t of tasks) if (t.status === 'fulfilled') await t.value.close().catch((error) => this.options.logger.warn('task close failed', { task: t.value.id, error }));
    this.tasks.clear();
    await this.producer?.close().catch(() => undefined);
    await this.admin?.close().catch(() => undefined);
    await this.consumer?.close().catch(() => undefined);
    await this.exchange?.stop();
    await this.globalStores?.close();
    this.state = 'stopped';
    this.options.logger.info('application stopped', { app: this.options.topology.name });
  }

  private async onBatch(batch: ConsumerBatch): Promise<void> {
    if (!batch.isRunning() || batch.isStale() || batch.messages.length === 0) return;
    const sub = this.topicToSubTopology.get(batch.topic);
    if (!sub) throw new Error(`no sub-topology reads topic ${batch.topic}`);
    const task = await this.task(sub, batch.partition, batch.heartbeat);
    // Creating the task may have moved the partition's position (stable-offsets.ts): drop a batch fetched before.
    if (batch.isStale()) return;
    const lane = `${batch.topic}/${batch.partition}`;
    const messages = this.notYetCommitted(lane, batch.messages);
    if (messages.length === 0) {
      batch.markProcessed(batch.messages[batch.messages.length - 1].offset);
      return;
    }
    // The client heartbeats between batches only: keep the membership alive while a long batch
    // (slow scoring, a large fetch) runs, instead of losing the partitions after the session timeout.
    const beat = setInterval(() => { void batch.heartbeat().catch(() => undefined); }, this.heartbeatIntervalMs());
    const telemetry = this.options.telemetry;
    const span = telemetry ? batchSpan(telemetry.tracer, { taskId: task.id, topic: batch.topic, partition: batch.partition }, batch.messages) : undefined;
    const admit = (times: number[]): number => this.aligner.admit(lane, task.id, times);
    try {
      // Stage spans (deserialize, steps, scoring, flush, commit) only when spans leave the process.
      const outcome = span
        ? await context.with(telemetry!.tracesExported ? withStageSpans(span.context) : span.context, () => task.processBatch(batch.topic, messages, admit))
        : await task.processBatch(batch.topic, messages, admit);
      span?.end();
      if (outcome.handled === 0) {
        // Held back whole by event-time alignment: give the other lanes a moment, then the client fetches it again.
        await this.aligner.waitForProgress(ALIGNMENT_WAIT_MS);
        return;
      }
      // Mark only what is committed, so a failed batch (or the held tail) is fetched again.
      const last = messages[outcome.handled - 1].offset;
      this.committedPositions.set(lane, BigInt(last) + 1n);
      batch.markProcessed(last);
      const caughtUp = outcome.handled === messages.length && batch.lag() === 0n;
      this.aligner.processed(lane, outcome.lastEventTime, caughtUp);
      this.options.telemetry?.metrics.setConsumerLag(batch.topic, batch.partition, Number(batch.lag()) + messages.length - outcome.handled);
    } catch (error) {
      span?.end(error);
      if (this.kafka.isRecoverable(error) || (error instanceof TributaryError && error.retriable)) {
        // The batch was not committed, but its effects sit in the task's
        // in-memory store layers (RocksDB only gets committed writes): rebuild
        // the task from RocksDB and the changelog, and let the consumer (rejoin
        // and) fetch the batch again.
        this.options.logger.warn('batch not committed; rebuilding the task', { task: task.id, error });
        await this.dropTask(task.id, false);
        throw error;
      }
      this.fatal(error);
      throw error;
    } finally {
      clearInterval(beat);
    }
  }

  /**
   * The messages a kept task has not committed yet. After a rebalance the
   * client resumes every partition from the group's committed offset, and
   * kafkajs reads it without KIP-447's require_stable: under exactly_once it
   * can predate the task's own last transaction (whose offset commit is not
   * visible yet), and the task, whose state already holds that batch, would
   * apply it twice. The task's own record of what it committed wins.
   */
  private notYetCommitted(lane: string, messages: readonly ConsumedMessage[]): readonly ConsumedMessage[] {
    const committed = this.committedPositions.get(lane);
    if (committed === undefined || BigInt(messages[0].offset) >= committed) return messages;
    return messages.filter((m) => BigInt(m.offset) >= committed);
  }

  /** Kafka's guidance: heartbeat at most every third of the session timeout; a tenth leaves room for missed beats. */
  private heartbeatIntervalMs(): number {
    return Math.min(3_000, Math.max(100, Math.floor(this.options.topology.processing.sessionTimeoutMs / 10)));
  }

  private task(sub: SubTopology, partition: number, heartbeat: () => Promise<void>): Promise<StreamTask> {
    const id = `${sub.id}_${partition}`;
    let task = this.tasks.get(id);
    if (!task) {
      task = this.createTask(id, sub, partition, heartbeat);
      // Until its state is restored the task's inputs hold the others back (their records are coming).
      void task.then(() => this.aligner.taskReady(id), () => this.aligner.taskReady(id));
      this.tasks.set(id, task);
      task.catch(() => this.tasks.delete(id));
    }
    return task;
  }

  private async createTask(id: string, sub: SubTopology, partition: number, heartbeat: () => Promise<void>): Promise<StreamTask> {
    const { topology, logger } = this.options;
    this.options.telemetry?.readiness.setTaskState(id, 'restoring');
    const intervals = new Set<number>();
    const base = { taskId: id, partition, subTopology: sub, schedulePunctuation: (ms: number) => { intervals.add(Math.max(10, ms)); } };
    // Under exactly_once the task's transactional producer starts first: its
    // initTransactions fences a previous owner and aborts its open transaction,
    // which would otherwise hold the changelog's read_committed end during restore.
    const committer: BatchCommitter = topology.processing.guarantee === 'exactly_once'
      ? await ExactlyOnceCommitter.create(this.kafka, `${topology.name}-${id}`, topology.name, this.compression())
      : new AtLeastOnceCommitter(this.producer!, this.consumer!, this.compression());
    const stores = sub.stores.length > 0 ? await this.options.openStores?.(base, this.kafka, heartbeat) : undefined;
    const pipeline = await this.options.createPipeline({ ...base, stores, globalStores: this.globalStores });
    if (this.admin) await seekToStableOffsets(this.admin, this.consumer!, topology.name, sub.sourceTopics, partition);
    const codecs = this.codecs!;
    this.options.telemetry?.readiness.setTaskState(id, 'running');
    logger.info('task created', { task: id, partition, stores: sub.stores.join(',') || 'none' });
    const task = new StreamTask({
      id,
      partition,
      pipeline,
      stores,
      decoding: new Map(sub.sourceTopics.map((t) => [t, codecs.decoding.get(t)!])),
      sinks: codecs.sinks,
      repartition: codecs.repartition,
      deadLetterTopic: topology.processing.deadLetterTopic,
      committer,
      isRecoverableKafkaError: (error) => this.kafka.isRecoverable(error),
      logger,
      onCommitted: (report) => this.report(report),
    });
    const timers = [...intervals].map((ms) => setInterval(() => {
      task.punctuate().catch((error) => {
        if (error instanceof TributaryError && error.retriable) logger.warn('punctuation failed; will retry', { task: id, error });
        else this.fatal(error);
      });
    }, ms));
    this.punctuators.set(id, timers);
    return task;
  }

  /** Close the tasks whose partitions this member no longer owns. */
  private async reconcileTasks(assignment: Record<string, number[]>): Promise<void> {
    this.options.telemetry?.metrics.rebalance('assigned', Object.values(assignment).reduce((n, p) => n + p.length, 0));
    const owned = new Map<string, { sub: SubTopology; partition: number }>();
    const lanes: Array<{ lane: string; task: string }> = [];
    for (const [topic, partitions] of Object.entries(assignment)) {
      const sub = this.topicToSubTopology.get(topic);
      if (sub) for (const p of partitions) {
        owned.set(`${sub.id}_${p}`, { sub, partition: p });
        lanes.push({ lane: `${topic}/${p}`, task: `${sub.id}_${p}` });
      }
    }
    this.aligner.assign(lanes);
    // A partition that went elsewhere may come back after others committed on it: forget where we were.
    const assigned = new Set(lanes.map((l) => l.lane));
    for (const lane of [...this.committedPositions.keys()]) if (!assigned.has(lane)) this.committedPositions.delete(lane);
    // Tasks are created (and their stores restored) on assignment, not at their first batch.
    for (const { sub, partition } of owned.values()) {
      this.task(sub, partition, async () => undefined).catch((error) => this.fatal(error));
    }
    for (const [id, task] of [...this.tasks]) {
      if (owned.has(id)) continue;
      this.tasks.delete(id);
      this.stopPunctuation(id);
      this.options.telemetry?.readiness.removeTask(id);
      const t = await task.catch(() => undefined);
      if (t) {
        await t.close();
        this.options.logger.info('task closed after rebalance', { task: id });
      }
    }
  }

  /** Close a task (wiping its local state when asked); the next batch or assignment recreates it. */
  private async dropTask(id: string, wipe: boolean): Promise<void> {
    const task = this.tasks.get(id);
    if (!task) return;
    this.tasks.delete(id);
    this.stopPunctuation(id);
    const t = await task.catch(() => undefined);
    if (!t) return;
    await t.close(wipe).catch((error) => this.options.logger.warn('task close failed', { task: id, error }));
  }

  private stopPunctuation(taskId: string): void {
    for (const t of this.punctuators.get(taskId) ?? []) clearInterval(t);
    this.punctuators.delete(taskId);
  }

  private report(report: BatchReport): void {
    const telemetry = this.options.telemetry;
    if (!telemetry) return;
    telemetry.metrics.recordsConsumed(report.topic, report.partition, report.consumed);
    for (const [topic, count] of report.produced) telemetry.metrics.recordsSent(topic, count);
    if (report.deadLettered > 0) telemetry.metrics.dlqRecords(report.topic, 'record', report.deadLettered);
    telemetry.metrics.commit(report.commitSeconds, report.consumed);
    const now = Date.now();
    for (const o of report.outputEventTimes) telemetry.metrics.e2eLatency(o.topic, o.eventTime, now);
  }

  private requiredTopics(sourcePartitions: Map<string, number>, plan: PartitionPlan): TopicRequirement[] {
    const { topology } = this.options;
    const maxSource = Math.max(1, ...sourcePartitions.values());
    const required: TopicRequirement[] = [
      { topic: topology.processing.deadLetterTopic, partitions: 1, purpose: 'dead-letter topic' },
      { topic: alignmentTopic(topology.name), partitions: 1, config: alignmentTopicConfig, purpose: 'event-time frontiers of the processes (alignment)' },
    ];
    const globalTopics = new Set(Object.values(topology.stores).flatMap((s) => (s.global ? [s.global.topic] : [])));
    for (const sink of Object.values(topology.sinks)) {
      // A sink that fills a global store is a table (only each key's latest value is read): compact it.
      const config = globalTopics.has(sink.topic) ? { config: { 'cleanup.policy': 'compact' } } : {};
      required.push({ topic: sink.topic, partitions: sink.partitions ?? maxSource, purpose: `sink ${sink.name}`, ...config });
    }
    for (const r of topology.repartitionTopics) {
      // No time retention (Kafka Streams' setting): records carry event times, and a backlog of old
      // events would otherwise be deleted by the broker before the downstream task reads it.
      required.push({ topic: r.topic, partitions: plan.repartition.get(r.topic) as number, config: { 'retention.ms': '-1' }, purpose: `repartition topic of step ${r.forStep}` });
    }
    for (const store of Object.values(topology.stores)) {
      if (!store.changelog) continue;
      const sub = topology.subTopologies.find((s) => s.stores.includes(store.name));
      // A changelog has one partition per task of the sub-topology that owns the store.
      const partitions = sub ? plan.tasks.get(sub.id) ?? maxSource : maxSource;
      // Window changelogs also expire (retention + 1 day), as their windows leave RocksDB.
      const config: Record<string, string> = store.kind === 'window' && store.retentionMs !== undefined
        ? { 'cleanup.policy': 'compact,delete', 'retention.ms': String(store.retentionMs + 86_400_000) }
        : { 'cleanup.policy': 'compact' };
      required.push({ topic: store.changelogTopic, partitions, config, purpose: `changelog of store ${store.name}` });
    }
    return required;
  }

  private compression(): TopicCompression {
    return topicCompression(this.options.topology, this.options.compression ?? 'none');
  }

  private fatal(error: unknown): void {
    if (this.state !== 'running') return;
    this.options.logger.error('processing failed; stopping', { error });
    this.options.onFatal?.(error);
  }
}
