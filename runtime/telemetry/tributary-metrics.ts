import type { Attributes, Counter, Histogram, Meter, ObservableGauge, ObservableResult } from '@opentelemetry/api';
import { attributeNames as A, metricNames as M } from './metric-names';
import { operation, type ClientOperation, type TopicRole } from './messaging-operation';

// Bucket edges chosen for what each histogram measures; the SDK default
// (0–10,000, meant for milliseconds) would put every second-valued sample in
// the first bucket.
const secondsBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const e2eBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800];
const rowBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192];
const commitBuckets = [0, 1, 10, 100, 1000, 10000, 100000];

/** Answers, at each collection, which state every task of this process is in. */
export type TaskStateSource = () => Iterable<readonly [taskId: string, state: string]>;

/** Options of {@link TributaryMetrics}. */
export interface TributaryMetricsOptions {
  /** The consumer group (application id), added to the messaging metrics. */
  readonly consumerGroup?: string;
  /** Feeds the `tributary.task.state` gauge; usually the readiness tracker. */
  readonly taskStates?: TaskStateSource;
}

/** One scoring batch, as the scoring pool reports it. */
export interface ScoringBatchReport {
  readonly model: string;
  readonly rows: number;
  /** Longest time a row of this batch waited in the batcher, in seconds. */
  readonly queueWaitSeconds: number;
  readonly inferenceSeconds: number;
  /** Execution provider that ran it: `cuda`, `cpu`, `remote`, ... */
  readonly provider: string;
}

const partitionKey = (a: string, p: number | string): string => `${a}\u0000${p}`;

/**
 * The instruments of the engine (sources, steps, sinks, commits, restores,
 * scoring, end-to-end latency), with methods that fix their attribute names so
 * callers cannot drift. Gauges are observable: callers set the latest value and
 * the SDK reads it at collection time.
 *
 * Not here, because their owners emit them on the global meter: store reads,
 * writes, cache hits/misses and size, restored records and restore time (the
 * stores, see `storeMetricNames`), and the scoring provider gauge (the pool).
 */
export class TributaryMetrics {
  private readonly base: Attributes;
  private readonly consumed: Counter;
  private readonly sent: Counter;
  private readonly processDurationHistogram: Histogram;
  private readonly operationDurationHistogram: Histogram;
  private readonly stepRecordsCounter: Counter;
  private readonly stepEventsCounter: Counter;
  private readonly stepDurationHistogram: Histogram;
  private readonly commitDuration: Histogram;
  private readonly commitRecords: Histogram;
  private readonly rebalances: Counter;
  private readonly dlq: Counter;
  private readonly skipped: Counter;
  private readonly late: Counter;
  private readonly scoringBatchSize: Histogram;
  private readonly scoringQueueWait: Histogram;
  private readonly scoringInference: Histogram;
  private readonly e2e: Histogram;
  private readonly lag = new Map<string, { topic: string; partition: number; lag: number }>();
  private readonly restoreLeft = new Map<string, { store: string; partition: number; remaining: number }>();
  private readonly gauges: ObservableGauge[] = [];
  private readonly callbackOf = new Map<ObservableGauge, (r: ObservableResult) => void>();

  constructor(private readonly meter: Meter, options: TributaryMetricsOptions = {}) {
    this.base = { [A.messagingSystem]: 'kafka', ...(options.consumerGroup ? { [A.consumerGroup]: options.consumerGroup } : {}) };
    const m = meter;
    this.consumed = m.createCounter(M.consumed, { description: 'Records polled from source topics', unit: '{message}' });
    this.sent = m.createCounter(M.sent, { description: 'Records the producer sent', unit: '{message}' });
    this.processDurationHistogram = this.seconds(M.processDuration, 'Time to process one fetched batch of one partition', secondsBuckets);
    this.operationDurationHistogram = this.seconds(M.operationDuration, 'Duration of a client call to Kafka (send, commit)', secondsBuckets);
    this.stepRecordsCounter = m.createCounter(M.stepRecords, { description: 'Records into and out of each step', unit: '{record}' });
    this.stepDurationHistogram = this.seconds(M.stepDuration, 'Time a step spent on one batch', secondsBuckets);
    this.commitDuration = this.seconds(M.commitDuration, 'Commit time: flush stores, produce, commit offsets', secondsBuckets);
    this.commitRecords = m.createHistogram(M.commitRecords, {
      description: 'Records written by one commit', unit: '{record}', advice: { explicitBucketBoundaries: commitBuckets },
    });
    this.rebalances = m.createCounter(M.rebalances, { description: 'Partitions assigned or revoked by rebalances', unit: '{partition}' });
    this.dlq = m.createCounter(M.dlqRecords, { description: 'Records sent to the dead-letter topic', unit: '{record}' });
    this.skipped = m.createCounter(M.skippedRecords, { description: 'Records dropped by an onError: skip policy', unit: '{record}' });
    this.stepEventsCounter = m.createCounter(M.stepEvents, { description: 'Events a step counted (join misses, duplicates dropped, ...)', unit: '{event}' });
    this.late = m.createCounter(M.lateRecords, { description: 'Records later than the allowed lateness', unit: '{record}' });
    this.scoringBatchSize = m.createHistogram(M.scoringBatchSize, {
      description: 'Rows per scoring batch', unit: '{row}', advice: { explicitBucketBoundaries: rowBuckets },
    });
    this.scoringQueueWait = this.seconds(M.scoringQueueWait, 'Time rows waited in the scoring batcher', secondsBuckets);
    this.scoringInference = this.seconds(M.scoringInferenceDuration, 'Model run time per scoring batch', secondsBuckets);
    this.e2e = this.seconds(M.e2eLatency, 'Event time of an input to production of its output', e2eBuckets);

    this.gauge(M.consumerLag, 'Records between committed offset and log end', '{message}', (r) => {
      for (const { topic, partition, lag } of this.lag.values()) {
        r.observe(lag, { ...this.base, [A.destination]: topic, [A.partition]: String(partition) });
      }
    });
    this.gauge(M.restoreRemaining, 'Changelog records still to restore', '{record}', (r) => {
      for (const { store, partition, remaining } of this.restoreLeft.values()) {
        r.observe(remaining, { [A.store]: store, [A.partition]: String(partition) });
      }
    });
    const taskStates = options.taskStates;
    if (taskStates) {
      this.gauge(M.taskState, 'Current state of each task (1 = in that state)', '1', (r) => {
        for (const [taskId, state] of taskStates()) r.observe(1, { [A.taskId]: taskId, [A.taskState]: state });
      });
    }
  }

  /** The meter these instruments live on, for callers adding their own. */
  getMeter(): Meter {
    return this.meter;
  }

  /** `count` records polled from `topic`/`partition`. */
  recordsConsumed(topic: string, partition: number, count: number): void {
    this.consumed.add(count, { ...this.base, ...operation('poll'), [A.destination]: topic, [A.partition]: String(partition) });
  }

  /**
   * `count` records produced to `topic` (partition when known); `role` says whether the topic is a
   * sink, internal or the dead-letter topic, `errorType` that the send failed.
   */
  recordsSent(topic: string, count: number, partition?: number, more: { role?: TopicRole; errorType?: string } = {}): void {
    const attrs: Attributes = { [A.messagingSystem]: 'kafka', ...operation('send'), [A.destination]: topic };
    if (partition !== undefined) attrs[A.partition] = String(partition);
    if (more.role !== undefined) attrs[A.topicRole] = more.role;
    if (more.errorType !== undefined) attrs[A.errorType] = more.errorType;
    this.sent.add(count, attrs);
  }

  /** One fetched batch of `topic`/`partition` took `seconds` to process; `errorType` when it failed. */
  processDuration(topic: string, partition: number, seconds: number, errorType?: string): void {
    const attrs: Attributes = { ...this.base, ...operation('process'), [A.destination]: topic, [A.partition]: String(partition) };
    if (errorType !== undefined) attrs[A.errorType] = errorType;
    this.processDurationHistogram.record(seconds, attrs);
  }

  /**
   * A client call to Kafka took `seconds`: a send (to `topic` when it wrote one topic), an offset
   * commit, or a transaction's commit; `errorType` when it failed.
   */
  operationDuration(name: ClientOperation, seconds: number, more: { topic?: string; errorType?: string } = {}): void {
    const attrs: Attributes = { ...this.base, ...operation(name) };
    if (more.topic !== undefined) attrs[A.destination] = more.topic;
    if (more.errorType !== undefined) attrs[A.errorType] = more.errorType;
    this.operationDurationHistogram.record(seconds, attrs);
  }

  /** `count` records went into (`in`) or came out of (`out`) step `stepId`. */
  stepRecords(stepId: string, direction: 'in' | 'out', count: number): void {
    this.stepRecordsCounter.add(count, { [A.stepId]: stepId, [A.direction]: direction });
  }

  /** Step `stepId` spent `seconds` on one batch. */
  stepDuration(stepId: string, seconds: number): void {
    this.stepDurationHistogram.record(seconds, { [A.stepId]: stepId });
  }

  /** Latest lag of a partition this process owns. */
  setConsumerLag(topic: string, partition: number, lag: number): void {
    this.lag.set(partitionKey(topic, partition), { topic, partition, lag });
  }

  /** Stop reporting a partition (revoked): its lag now belongs to another process. */
  forgetPartition(topic: string, partition: number): void {
    this.lag.delete(partitionKey(topic, partition));
  }

  /** One commit took `seconds` and wrote `records` records. */
  commit(seconds: number, records: number): void {
    this.commitDuration.record(seconds, this.base);
    this.commitRecords.record(records, this.base);
  }

  /** A rebalance assigned or revoked `partitions` partitions. */
  rebalance(kind: 'assigned' | 'revoked', partitions: number): void {
    this.rebalances.add(partitions, { ...this.base, [A.rebalanceKind]: kind });
  }

  /**
   * Changelog records still to restore for one store partition (0 when done).
   * Restored-record counts and restore times are the stores' own instruments.
   */
  setRestoreRemaining(store: string, partition: number, remaining: number): void {
    this.restoreLeft.set(partitionKey(store, partition), { store, partition, remaining });
  }

  /** `count` records from `sourceTopic` went to the dead-letter topic because of `errorType`. */
  dlqRecords(sourceTopic: string, errorType: string, count = 1): void {
    this.dlq.add(count, { [A.destination]: sourceTopic, [A.errorType]: errorType });
  }

  /** `count` records from `sourceTopic` dropped by an `onError: skip` policy while in `stage` (deserialize or step). */
  skippedRecords(sourceTopic: string, stage: 'deserialize' | 'step', count = 1): void {
    this.skipped.add(count, { [A.destination]: sourceTopic, [A.errorStage]: stage });
  }

  /**
   * An event step `stepId` counted (StepMeter): late records and `onError: skip` drops go to
   * their own counters, which dashboards and `tributary top` show; every other event to
   * `tributary.step.events`.
   */
  stepEvents(stepId: string, event: string, count: number): void {
    if (event === 'late_records') this.lateRecords(stepId, count);
    else if (event === 'skipped_records') this.skipped.add(count, { [A.stepId]: stepId, [A.errorStage]: 'step' });
    else this.stepEventsCounter.add(count, { [A.stepId]: stepId, [A.stepEvent]: event });
  }

  /** `count` late records at step `stepId`. */
  lateRecords(stepId: string, count = 1): void {
    this.late.add(count, { [A.stepId]: stepId });
  }

  /**
   * One scoring batch ran. (The provider-in-use gauge, `tributary.scoring.provider`,
   * belongs to the scoring pool, which knows when a provider is loaded.)
   */
  scoringBatch(report: ScoringBatchReport): void {
    const attrs = { [A.model]: report.model, [A.provider]: report.provider };
    this.scoringBatchSize.record(report.rows, attrs);
    this.scoringQueueWait.record(report.queueWaitSeconds, attrs);
    this.scoringInference.record(report.inferenceSeconds, attrs);
  }

  /** Record an output to `sinkTopic` derived from an input with event time `eventTimeMs`. */
  e2eLatency(sinkTopic: string, eventTimeMs: number, nowMs: number = Date.now()): void {
    const seconds = (nowMs - eventTimeMs) / 1000;
    // A negative age means the event time is in the future (producer clock skew): not a latency.
    if (Number.isFinite(seconds) && seconds >= 0) this.e2e.record(seconds, { [A.destination]: sinkTopic });
  }

  /** Detach the observable gauges' callbacks (the meter provider's shutdown also stops them). */
  close(): void {
    for (const g of this.gauges) g.removeCallback(this.callbackOf.get(g)!);
    this.gauges.length = 0;
  }

  private gauge(name: string, description: string, unit: string, callback: (r: ObservableResult) => void): void {
    const g = this.meter.createObservableGauge(name, { description, unit });
    g.addCallback(callback);
    this.gauges.push(g);
    this.callbackOf.set(g, callback);
  }

  private seconds(name: string, description: string, buckets: number[]): Histogram {
    return this.meter.createHistogram(name, { description, unit: 's', advice: { explicitBucketBoundaries: buckets } });
  }
}
