import type { CompiledTopology, CompressionCodec, SubTopology } from '../../topology/compiled-topology';
import type { ConsumedMessage, ConsumerBatch, GroupConsumer, KafkaAdmin, KafkaClient, KafkaProducer } from './client/kafka-client';
import type { TaskStores } from '../state/task-stores';
import type { Logger } from '../../core/logger';
import { connectKafka } from './kafka-connection';
import { StreamTask, type BatchPipeline, type BatchCommitter, type TaskAlignment } from './stream-task';
import { AtLeastOnceCommitter } from './committer-at-least-once';
import { ExactlyOnceCommitter } from './committer-exactly-once';
import { buildTopicCodecs, type TopicCodecs } from './topic-codecs';
import { decodeSkipReporter } from './decode-skip-reporter';
import { topicCompression, type TopicCompression } from './topic-compression';
import { ensureTopics, partitionCounts } from './topic-admin';
import { RepartitionPurger } from './repartition-purger';
import { repartitionFetchBudgets } from './fetch-budgets';
import { internalTopics } from './internal-topics';
import { canRetry } from '../../core/failure';
import { TaskManager, type BuiltTask } from './task-manager';
import { seekToStableOffsets } from './stable-offsets';
import { partitionsReadAtOnce, planPartitions } from './partition-plan';
import { EventTimeAligner } from './event-time-aligner';
import { AlignmentExchange } from './alignment-exchange';
import { crossTaskAlignedTopics, laneAlignsAcrossTasks } from './cross-task-alignment';
import { batchSpan, withStageSpans, type Telemetry } from '../telemetry';
import { errorType, instrumentClient, topicRoles } from './instrumented-client';
import { context } from '@opentelemetry/api';
import type { BatchReport } from './stream-task';
import { GlobalStores } from './global-stores';
import { SinkRetentionGuard } from './sink-retention-guard';
import { Lifecycle } from './lifecycle';
import { derivedGroupInstanceId, type MemberEndpoint } from './client/group-endpoints';
import type { InputPosition, LocalTaskView, StoreAccess } from './store-access';
import { TaskPositions } from './task-positions';
import { StandbyTasks } from './standby-tasks';
import { localTaskState } from './local-task-state';
import type { LocalTaskState } from './client/task-assignment';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * How often tasks with buffered input try it again with nothing else moving: a lane goes idle
 * with time (processing.maxTaskIdle), and another process's stale report stops counting.
 */
const DRAIN_RETRY_MS = 100;
/** Standby copies read their changelogs on the commit interval, but not more often than this (ms). */
const STANDBY_MIN_UPDATE_MS = 500;

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
  /**
   * How many partitions' batches run at once (default: every partition the application reads,
   * so that no partition's batch waits for a slot behind another's; see partitionsReadAtOnce).
   */
  readonly partitionsConsumedConcurrently?: number;
  /** Upper bound of one fetch per partition: bounds the records in flight per task (over the topology's processing.maxPartitionFetchBytes). */
  readonly maxBytesPerPartition?: number;
  /** Metrics and readiness; absent in tests that do not need them. */
  readonly telemetry?: Telemetry;
  /** Called when a batch failed for good: the app is stopping with this error. */
  readonly onFatal?: (error: unknown) => void;
  /** The Kafka client behind the seam; default: kafkajs with the topology's `kafka` settings (see kafka-connection.ts). */
  readonly client?: KafkaClient;
  /** `host:port` this process serves interactive queries at, advertised to the group (Kafka Streams' application.server). */
  readonly advertisedEndpoint?: string;
  /** Static membership (group.instance.id); default: the topology's `processing.groupInstanceId`, else one derived from the app, host and state dir (`processing.staticMembership`). */
  readonly groupInstanceId?: string;
  /** How long start() waits for a broker to answer before it fails with one error naming the brokers (default 10 s). */
  readonly connectTimeoutMs?: number;
}

/** Default of {@link StreamAppOptions.connectTimeoutMs}. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * The app's lifecycle. start() goes created → starting (topics, codecs, global stores, the
 * group) → running; stop() from any state but stopped goes to stopping, then stopped. A fatal
 * error while running tells onFatal, whose owner calls stop().
 */
type AppState = 'created' | 'starting' | 'running' | 'stopping' | 'stopped';
const appTransitions: Record<AppState, readonly AppState[]> = {
  created: ['starting', 'stopping'],
  starting: ['running', 'stopping'],
  running: ['stopping'],
  stopping: ['stopped'],
  stopped: [],
};

/**
 * A running application: one member of the consumer group named after the
 * topology. Each assigned partition of a sub-topology's source topics is a
 * task; batches of a partition are processed one after another (the group
 * consumer does not fetch a partition's next batch before its previous one
 * resolves, which is the backpressure), and different tasks' batches run
 * concurrently. Kafka is reached only through the client seam
 * (client/kafka-client.ts).
 *
 * StreamApp is Kafka Streams' KafkaStreams and StreamThread in one: it sets up the topics,
 * global stores and group membership and routes batches to tasks. Who owns what else:
 * the tasks (built, committed, closed, rebuilt) TaskManager; topic names and configs
 * internal-topics.ts; its states the transition map above.
 */
export class StreamApp {
  private readonly lifecycle = new Lifecycle<AppState>('the application', 'created', appTransitions);
  private consumer?: GroupConsumer;
  private producer?: KafkaProducer;
  /** exactly_once only: reads the group's stable offsets for new tasks (see stable-offsets.ts). */
  private admin?: KafkaAdmin;
  private codecs?: TopicCodecs;
  private globalStores?: GlobalStores;
  private readonly kafka: KafkaClient;
  private readonly topicToSubTopology = new Map<string, SubTopology>();
  private readonly aligner: EventTimeAligner;
  private readonly tasks: TaskManager;
  /** Where the tasks stand on their inputs, for interactive queries. */
  private readonly positions: TaskPositions;
  private exchange?: AlignmentExchange;
  /** Input topics held within maxEventTimeSkew of other tasks' (cross-task-alignment.ts); none: no exchange between processes. */
  private readonly alignedTopics: ReadonlySet<string>;
  /** Deletes committed records of the repartition topics (repartition-purger.ts). */
  private purger?: RepartitionPurger;
  private commitTimer?: NodeJS.Timeout;
  /** Every member's query endpoint and partitions, from the last assignment. */
  private groupMembers: readonly MemberEndpoint[] = [];
  /** Warm copies of other processes' stateful tasks (`processing.standbyReplicas`). */
  private readonly standbys: StandbyTasks;
  /** Ids of the tasks the last assignment gave this process (standby copies exclude them). */
  private ownedTaskIds = new Set<string>();
  /** Assignments and standby lists are applied one after another, in the order they came. */
  private reconciling: Promise<void> = Promise.resolve();
  private changesPending = 0;
  /** Sub-topology id → task count (partitions of its input topics), known once started. */
  private taskCounts: ReadonlyMap<number, number> = new Map();
  private retentionGuard?: SinkRetentionGuard;
  /** Fetch bytes per partition of the fan-in repartition topics (fetch-budgets.ts). */
  private fetchBudgets: ReadonlyMap<string, number> = new Map();
  /** Lanes (`topic/partition`) paused because their task buffers a fetch's worth of them. */
  private readonly paused = new Set<string>();
  /** Per lane, the records behind its last batch (0n: caught up once its buffer is processed). */
  private readonly laneLag = new Map<string, bigint>();
  private drainTimer?: NodeJS.Timeout;
  /**
   * Between the commit before a rebalance and the assignment after it, buffered input is not
   * processed (Kafka Streams suspends its tasks): a task may be moving, and what it processed
   * after that commit could not be committed any more, so its new owner would process it again.
   */
  private suspended = false;

  constructor(private readonly options: StreamAppOptions) {
    const client = options.client ?? connectKafka(options.topology.kafka, options.logger);
    this.kafka = options.telemetry ? instrumentClient(client, { metrics: options.telemetry.metrics, roleOf: topicRoles(options.topology) }) : client;
    this.alignedTopics = crossTaskAlignedTopics(options.topology);
    this.aligner = new EventTimeAligner(options.topology.processing.maxEventTimeSkewMs, options.topology.processing.maxTaskIdleMs, Date.now, undefined, laneAlignsAcrossTasks(this.alignedTopics));
    for (const sub of options.topology.subTopologies) {
      for (const topic of sub.sourceTopics) this.topicToSubTopology.set(topic, sub);
    }
    this.tasks = new TaskManager({
      build: (id, sub, partition, heartbeat) => this.createTask(id, sub, partition, heartbeat),
      seek: (topic, partition, offset) => {
        if (!this.consumer) throw new Error('not consuming');
        this.consumer.seek(topic, partition, offset);
      },
      isRecoverable: (error) => this.kafka.isRecoverable(error),
      fatal: (error) => this.fatal(error),
      onTaskReady: (id) => this.aligner.taskReady(id),
      onTaskRemoved: (id) => this.options.telemetry?.readiness.removeTask(id),
      logger: options.logger,
    });
    this.positions = new TaskPositions(this.kafka, options.topology.name, this.tasks.committedPositions);
    this.standbys = new StandbyTasks({
      topology: options.topology,
      kafka: this.kafka,
      logger: options.logger,
      updateIntervalMs: Math.max(STANDBY_MIN_UPDATE_MS, options.topology.processing.commitIntervalMs),
      activeClosed: (id, signal) => this.tasks.whenClosed(id, signal),
    });
  }

  /** Tasks currently open, by id. */
  async openTasks(): Promise<StreamTask[]> {
    return this.tasks.all();
  }

  /** The process's global stores once started (read-only views); undefined when the topology has none. */
  get globals(): GlobalStores | undefined {
    return this.globalStores;
  }

  /** What interactive queries read of this app (store-queries.ts): its tasks' stores, the group's endpoints, its key serdes. */
  storeAccess(): StoreAccess {
    return {
      topology: this.options.topology,
      ...(this.options.advertisedEndpoint ? { advertisedEndpoint: this.options.advertisedEndpoint } : {}),
      members: () => this.groupMembers,
      taskCount: (subTopologyId) => this.taskCounts.get(subTopologyId),
      keySerde: (topic) => this.codecs?.decoding.get(topic)?.key,
      localTask: (taskId) => this.localTaskView(taskId),
      standbyTask: (taskId) => this.standbys.view(taskId),
      globalStores: () => this.globalStores,
    };
  }

  private localTaskView(taskId: string): LocalTaskView {
    const view = this.tasks.view(taskId);
    return view.state === 'running' ? { ...view, position: () => this.taskPosition(taskId) } : view;
  }

  /** Where a task's committed state stands on each of its input partitions (interactive queries). */
  private taskPosition(taskId: string): Promise<InputPosition[]> {
    const [subId, partition] = taskId.split('_').map(Number);
    const sub = this.options.topology.subTopologies.find((s) => s.id === subId);
    return this.positions.of(sub?.sourceTopics ?? [], partition);
  }

  async start(): Promise<void> {
    this.lifecycle.moveTo('starting');
    const { topology, logger } = this.options;
    // A global store's topic that the app writes itself (through a sink) is created below as a sink;
    // no task reads it, so the partition plan does not need its count.
    const written = new Set(Object.values(topology.sinks).map((s) => s.topic));
    const ownGlobal = new Set(Object.values(topology.stores).flatMap((s) => (s.global && written.has(s.global.topic) ? [s.global.topic] : [])));
    const sourceTopics = Object.values(topology.sources).map((s) => s.topic).filter((t) => !ownGlobal.has(t));
    await this.kafka.checkConnection(this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
    const admin = await this.kafka.admin();
    try {
      const sourcePartitions = await partitionCounts(admin, sourceTopics);
      const present = new Set(await admin.listTopics());
      const existingRepartition = await admin.partitionCounts(topology.repartitionTopics.map((r) => r.topic).filter((t) => present.has(t)));
      const plan = planPartitions(topology, sourcePartitions, existingRepartition);
      this.taskCounts = plan.tasks;
      this.fetchBudgets = repartitionFetchBudgets(topology, plan, this.maxBytesPerPartition());
      await ensureTopics(admin, internalTopics(topology, sourcePartitions, plan), this.options.topicCreation ?? 'create');
      this.retentionGuard = await this.sinkRetentionGuard(admin);
    } finally {
      await admin.close();
    }
    this.codecs = await buildTopicCodecs(topology, { onSkip: decodeSkipReporter(logger, this.options.telemetry?.metrics) });
    // Global stores are restored before the group is joined: no task runs without them.
    this.globalStores = await GlobalStores.start({ topology, client: this.kafka, codecs: this.codecs, logger, onFailure: (error) => this.fatal(error) });
    if (this.alignedTopics.size > 0) {
      const exchangeAdmin = await this.kafka.admin();
      try {
        this.exchange = await AlignmentExchange.start(this.kafka, exchangeAdmin, topology.name, this.aligner, logger);
      } finally {
        await exchangeAdmin.close();
      }
    }

    if (topology.processing.guarantee === 'at_least_once') this.producer = await this.kafka.producer();
    else this.admin = await this.kafka.admin();
    const allTopics = topology.subTopologies.flatMap((s) => s.sourceTopics);
    const configuredId = this.options.groupInstanceId ?? topology.processing.groupInstanceId;
    const instanceId = configuredId ?? (topology.processing.staticMembership ? derivedGroupInstanceId(topology.name, os.hostname(), topology.processing.stateDir) : undefined);
    this.consumer = this.kafka.groupConsumer({
      groupId: topology.name,
      topics: allTopics.map((topic) => {
        const source = Object.values(topology.sources).find((s) => s.topic === topic);
        return { topic, fromBeginning: (source?.offsetReset ?? 'earliest') === 'earliest' };
      }),
      maxBytesPerPartition: this.maxBytesPerPartition(),
      topicMaxBytesPerPartition: this.fetchBudgets,
      sessionTimeoutMs: topology.processing.sessionTimeoutMs,
      // A member that takes longer to rejoin (its tasks finishing a batch) is dropped from the group.
      rebalanceTimeoutMs: Math.max(60_000, topology.processing.sessionTimeoutMs),
      heartbeatIntervalMs: this.heartbeatIntervalMs(),
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? partitionsReadAtOnce(topology, this.taskCounts),
      coPartitionGroups: topology.subTopologies.map((s) => s.sourceTopics),
      ...(this.options.advertisedEndpoint ? { advertisedEndpoint: this.options.advertisedEndpoint } : {}),
      ...(instanceId ? { groupInstanceId: instanceId } : {}),
      // A derived id leaves on a clean stop (partitions move at once); a configured one stays, as Kafka's static members do.
      leaveGroupOnClose: configuredId === undefined,
      standbyReplicas: topology.processing.standbyReplicas,
      statefulGroups: new Set(topology.subTopologies.filter((s) => s.stores.length > 0).map((s) => s.id)),
      localTasks: () => this.localTasks(),
    });
    this.purger = new RepartitionPurger(this.kafka, new Set(topology.repartitionTopics.map((r) => r.topic)), topology.processing.repartitionPurgeIntervalMs, logger);
    this.purger.start();
    this.lifecycle.moveTo('running');
    // Buffered input goes as soon as the lanes holding it move on, fetched or not.
    this.aligner.onProgress = () => this.drainBuffered();
    this.drainTimer = setInterval(() => this.drainBuffered(), DRAIN_RETRY_MS);
    // Tasks commit after a batch once their interval has passed; the timer commits tasks that got no batch since.
    const interval = topology.processing.commitIntervalMs;
    if (interval > 0) this.commitTimer = setInterval(() => this.tasks.commitDue(), Math.max(50, Math.min(interval, 1_000)));
    await this.consumer.run({
      onAssignment: (assignment) => this.serially(() => this.reconcileTasks(assignment)),
      onStandbyTasks: (taskIds) => this.serially(() => this.standbys.assign(new Set(taskIds.filter((id) => !this.ownedTaskIds.has(id))))),
      onBatch: (batch) => this.onBatch(batch),
      onFailure: (error) => this.fatal(error),
      onRevoking: () => {
        this.suspended = true;
        return this.tasks.commitAllPending('rebalance');
      },
      onGroupEndpoints: (members) => { this.groupMembers = members; },
    });
    logger.info('application started', { app: topology.name, topics: allTopics.join(','), guarantee: topology.processing.guarantee, client: this.kafka.library, ...(instanceId ? { groupInstanceId: instanceId } : {}) });
  }

  /** Finish the batches in hand, commit, close every task, leave the group. */
  async stop(): Promise<void> {
    if (this.lifecycle.is('stopping', 'stopped')) return;
    this.lifecycle.moveTo('stopping');
    clearInterval(this.commitTimer);
    clearInterval(this.drainTimer);
    this.aligner.onProgress = undefined;
    // Batches fetched from now on are left to the next owner; what the tasks processed is
    // committed while the consumer is still in the group (at_least_once commits through it).
    await this.tasks.commitAllPending('stop');
    await this.consumer?.stop().catch(() => undefined);
    await this.tasks.closeAll();
    await this.standbys.close();
    await this.producer?.close().catch(() => undefined);
    await this.admin?.close().catch(() => undefined);
    await this.consumer?.close().catch(() => undefined);
    await this.purger?.stop();
    await this.exchange?.stop();
    await this.positions.close();
    await this.globalStores?.close();
    this.lifecycle.moveTo('stopped');
    this.options.logger.info('application stopped', { app: this.options.topology.name });
  }

  private async onBatch(batch: ConsumerBatch): Promise<void> {
    if (!batch.isRunning() || batch.isStale() || batch.messages.length === 0 || !this.lifecycle.is('running')) return;
    const sub = this.topicToSubTopology.get(batch.topic);
    if (!sub) throw new Error(`no sub-topology reads topic ${batch.topic}`);
    const task = await this.tasks.task(sub, batch.partition, batch.heartbeat);
    // Creating the task may have moved the partition's position (stable-offsets.ts): drop a batch fetched before.
    if (batch.isStale()) return;
    const lane = `${batch.topic}/${batch.partition}`;
    const messages = batch.messages;
    this.positions.fetched(lane, messages[messages.length - 1].offset, batch.lag());
    this.laneLag.set(lane, batch.lag());
    // The client heartbeats between batches only: keep the membership alive while a long batch
    // (slow scoring, a large fetch) runs, instead of losing the partitions after the session timeout.
    const beat = setInterval(() => { void batch.heartbeat().catch(() => undefined); }, this.heartbeatIntervalMs());
    const telemetry = this.options.telemetry;
    const span = telemetry
      ? batchSpan(telemetry.tracer, { taskId: task.id, topic: batch.topic, partition: batch.partition, consumerGroup: this.options.topology.name }, batch.messages)
      : undefined;
    const started = process.hrtime.bigint();
    const processed = (error?: unknown): void =>
      telemetry?.metrics.processDuration(batch.topic, batch.partition, Number(process.hrtime.bigint() - started) / 1e9, error === undefined ? undefined : errorType(error));
    try {
      // Stage spans (deserialize, steps, scoring, flush, commit, client sends) only when spans leave the process.
      const taken = span
        ? await context.with(telemetry!.tracesExported ? withStageSpans(span.context) : span.context, () => task.receive(batch.topic, messages, batch.isStale))
        : await task.receive(batch.topic, messages, batch.isStale);
      processed();
      span?.end();
      if (!taken) return;
      // The task holds what it did not process yet, so the client fetches on past the batch; a
      // failure before the next commit seeks back to the task's replay positions (TaskManager.recover),
      // which cover buffered records too.
      batch.markProcessed(messages[messages.length - 1].offset);
      if (task.bufferedBytes(batch.topic) >= this.fetchBytes(batch.topic) && !this.paused.has(lane)) {
        this.paused.add(lane);
        this.consumer?.pause(batch.topic, batch.partition);
      }
      this.resumeDrained();
      this.options.telemetry?.metrics.setConsumerLag(batch.topic, batch.partition, Number(batch.lag()) + task.bufferedCount(batch.topic));
    } catch (error) {
      processed(error);
      span?.end(error);
      if (canRetry(error, (e) => this.kafka.isRecoverable(e))) {
        await this.tasks.recover(task, error, [{ topic: batch.topic, partition: batch.partition, offset: messages[0].offset }]);
        this.resumeDrained();
        throw error;
      }
      this.fatal(error);
      throw error;
    } finally {
      clearInterval(beat);
    }
  }

  /** The task's alignment: its lanes in the process's EventTimeAligner. */
  private taskAlignment(taskId: string, partition: number): TaskAlignment {
    return {
      admit: (topic, times, from) => {
        // The head is known either way (a lane whose head is not would count as idle); nothing goes
        // while a rebalance may be moving the task (see `suspended`), from a drain or a batch in flight.
        const admitted = this.aligner.admit(`${topic}/${partition}`, taskId, times, from);
        return this.suspended ? 0 : admitted;
      },
      moved: (topic, lastTime, nextTime, delivered) => {
        const lane = `${topic}/${partition}`;
        // A held record's time is the lane's next one: the other lanes may take every record
        // before it. Counted at the last processed record instead, two lanes of a task that hold
        // each other admitted only up to each other's last record.
        if (nextTime !== undefined) this.aligner.buffered(lane, nextTime);
        // Caught up: the others may run on once these outputs, maybe still queued, are on the broker.
        else if (this.laneLag.get(lane) === 0n) this.aligner.processedThenCaughtUp(lane, lastTime, delivered);
        else this.aligner.processed(lane, lastTime, false);
      },
    };
  }

  /** Every task with buffered input processes what alignment now admits (something moved on). */
  private drainBuffered(): void {
    if (!this.lifecycle.is('running') || this.suspended) return;
    for (const task of this.tasks.running()) {
      if (!task.hasBuffered) continue;
      task.drain().then(() => this.resumeDrained(), async (error: unknown) => {
        if (!canRetry(error, (e) => this.kafka.isRecoverable(e))) return this.fatal(error);
        await this.tasks.recover(task, error).catch((e: unknown) => this.fatal(e));
        this.resumeDrained();
      });
    }
  }

  /** Resumes paused lanes whose task has worked its buffer down to half the fetch bound, or is gone. */
  private resumeDrained(): void {
    for (const lane of this.paused) {
      const cut = lane.lastIndexOf('/');
      const [topic, partition] = [lane.slice(0, cut), Number(lane.slice(cut + 1))];
      const sub = this.topicToSubTopology.get(topic);
      const task = sub ? this.tasks.runningTask(`${sub.id}_${partition}`) : undefined;
      if (task !== undefined && task.bufferedBytes(topic) >= this.fetchBytes(topic) / 2) continue;
      this.paused.delete(lane);
      this.consumer?.resume(topic, partition);
    }
  }

  /** Bytes one fetch asks of `topic`'s partitions: also what a task buffers of one before its partition is paused. */
  private fetchBytes(topic: string): number {
    return this.fetchBudgets.get(topic) ?? this.maxBytesPerPartition();
  }

  /** Bytes one fetch asks of a partition (fan-in repartition topics get a multiple, fetch-budgets.ts). */
  private maxBytesPerPartition(): number {
    return this.options.maxBytesPerPartition ?? this.options.topology.processing.maxPartitionFetchBytes ?? 1024 * 1024;
  }

  /** Kafka's guidance: heartbeat at most every third of the session timeout; a tenth leaves room for missed beats. */
  private heartbeatIntervalMs(): number {
    return Math.min(3_000, Math.max(100, Math.floor(this.options.topology.processing.sessionTimeoutMs / 10)));
  }

  private async createTask(id: string, sub: SubTopology, partition: number, heartbeat: () => Promise<void>): Promise<BuiltTask> {
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
    // A standby copy of this task here hands its directory over: the task restores from its checkpoint.
    await this.standbys.release(id);
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
      alignment: this.taskAlignment(id, partition),
      commitIntervalMs: topology.processing.commitIntervalMs,
      committedPositions: this.tasks.committedPositions,
      isRecoverableKafkaError: (error) => this.kafka.isRecoverable(error),
      logger,
      onProcessed: (report) => this.report(report),
      onCommitted: (seconds, records) => this.options.telemetry?.metrics.commit(seconds, records),
      onOffsetsCommitted: (offsets) => this.purger?.noteCommitted(offsets),
    });
    return { task, punctuationIntervalsMs: [...intervals] };
  }

  /** The group's new assignment: event-time lanes, then the tasks (built, kept or closed). */
  private async reconcileTasks(assignment: Record<string, number[]>): Promise<void> {
    const partitions = Object.values(assignment).reduce((n, p) => n + p.length, 0);
    this.options.telemetry?.metrics.rebalance('assigned', partitions);
    this.options.logger.info('partitions assigned', { partitions, assignment: Object.entries(assignment).map(([t, ps]) => `${t}:${[...ps].sort((a, b) => a - b).join('+')}`).join(',') });
    const owned = new Map<string, { sub: SubTopology; partition: number }>();
    const lanes: Array<{ lane: string; task: string }> = [];
    for (const [topic, partitions] of Object.entries(assignment)) {
      const sub = this.topicToSubTopology.get(topic);
      if (sub) for (const p of partitions) {
        owned.set(`${sub.id}_${p}`, { sub, partition: p });
        lanes.push({ lane: `${topic}/${p}`, task: `${sub.id}_${p}` });
      }
    }
    this.ownedTaskIds = new Set(owned.keys());
    this.suspended = false;
    this.aligner.assign(lanes);
    const assigned = new Set(lanes.map((l) => l.lane));
    this.positions.retain(assigned);
    for (const lane of this.laneLag.keys()) if (!assigned.has(lane)) this.laneLag.delete(lane);
    await this.tasks.reconcile(owned, assigned);
    // Lanes of closed tasks, or whose kept task worked its buffer down meanwhile, fetch again.
    this.resumeDrained();
  }

  /** Runs group changes one after another (a standby list after the assignment it came with). */
  private serially(change: () => Promise<void>): void {
    const run = (): Promise<void> => change().catch((error) => this.fatal(error));
    // With nothing in progress the change starts now (an assignment's tasks are known at once).
    this.changesPending++;
    this.reconciling = (this.changesPending === 1 ? run() : this.reconciling.then(run)).finally(() => { this.changesPending--; });
  }

  /** What this process holds of each stateful task's state, for its next join (local-task-state.ts). */
  private localTasks(): LocalTaskState {
    const { topology } = this.options;
    const stateful = new Set(topology.subTopologies.filter((s) => s.stores.length > 0).map((s) => s.id));
    const running = this.tasks.ids().filter((id) => stateful.has(Number(id.split('_')[0])));
    return localTaskState(path.join(topology.processing.stateDir, topology.name), running, this.standbys.offsetSums(), topology.processing.guarantee === 'exactly_once');
  }

  /** The sinks' time retention, to warn of outputs the broker will delete (none when the cluster does not say). */
  private async sinkRetentionGuard(admin: KafkaAdmin): Promise<SinkRetentionGuard | undefined> {
    const sinks = Object.values(this.options.topology.sinks);
    if (sinks.length === 0) return undefined;
    try {
      const retention = await admin.timeRetentionMs([...new Set(sinks.map((s) => s.topic))]);
      return retention.size === 0 ? undefined : new SinkRetentionGuard(retention, new Map(sinks.map((s) => [s.topic, s.name])), this.options.logger);
    } catch (error) {
      // A principal without DescribeConfigs on the topics: the warning is a courtesy, not a requirement.
      this.options.logger.debug('cannot read the sink topics\' retention; outputs older than it are not warned of', { error });
      return undefined;
    }
  }

  private report(report: BatchReport): void {
    if (this.retentionGuard && report.outputEventTimes.length > 0) {
      const now = Date.now();
      for (const o of report.outputEventTimes) this.retentionGuard.written(o.topic, o.eventTime, now);
    }
    const telemetry = this.options.telemetry;
    if (!telemetry) return;
    // Sent records are counted by the client seam (instrumented-client.ts), changelog records included.
    if (report.consumed > 0) telemetry.metrics.recordsConsumed(report.topic, report.partition, report.consumed);
    if (report.deadLettered > 0) telemetry.metrics.dlqRecords(report.topic, 'record', report.deadLettered);
    const now = Date.now();
    for (const o of report.outputEventTimes) telemetry.metrics.e2eLatency(o.topic, o.eventTime, now);
  }

  private compression(): TopicCompression {
    return topicCompression(this.options.topology, this.options.compression ?? 'none');
  }

  private fatal(error: unknown): void {
    if (!this.lifecycle.is('running')) return;
    this.options.logger.error('processing failed; stopping', { error });
    this.options.onFatal?.(error);
  }
}
