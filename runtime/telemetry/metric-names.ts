/**
 * The names of every metric and attribute Tributary exports, in one place so
 * that the instruments, `tributary top`, the Grafana dashboard and the tests
 * agree. OpenTelemetry semantic-convention names are used where they exist
 * (messaging); `tributary.*` names otherwise.
 *
 * Prometheus sees them with dots turned into underscores and counters suffixed
 * `_total` (`messaging.client.consumed.messages` →
 * `messaging_client_consumed_messages_total`); see {@link prometheusName}.
 */
export const metricNames = {
  /** Counter: records polled from a source topic (semantic convention). */
  consumed: 'messaging.client.consumed.messages',
  /** Counter: records produced to a sink topic (semantic convention). */
  sent: 'messaging.client.sent.messages',
  /** Counter: records into / out of a step (`tributary.direction` = in | out). */
  stepRecords: 'tributary.step.records',
  /** Histogram (s): time a step spent on one batch. */
  stepDuration: 'tributary.step.duration',
  /** Gauge: records between the committed offset and the log end, per partition. */
  consumerLag: 'tributary.consumer.lag',
  /** Histogram (s): flush stores + produce + commit offsets. */
  commitDuration: 'tributary.commit.duration',
  /** Histogram: records (outputs and changelog) written by one commit. */
  commitRecords: 'tributary.commit.records',
  /** Counter: partitions assigned or revoked (`tributary.rebalance.kind`). */
  rebalances: 'tributary.rebalances',
  /** Counter: changelog records applied while restoring a store (emitted by the stores). */
  restoreRecords: 'tributary.restore.records',
  /** Gauge: changelog records still to restore, per store and partition. */
  restoreRemaining: 'tributary.restore.remaining',
  /** Histogram (s): time to restore one store partition (emitted by the stores). */
  restoreDuration: 'tributary.restore.duration',
  /** Counter: records sent to the dead-letter topic. */
  dlqRecords: 'tributary.dlq.records',
  /** Counter: records dropped by an `onError: skip` policy (`tributary.error.stage` = deserialize | step). */
  skippedRecords: 'tributary.skipped.records',
  /** Counter: events a step counted (`tributary.step.event`: join_misses, duplicates_dropped, unchanged_dropped, a custom operator's own). */
  stepEvents: 'tributary.step.events',
  /** Counter: records behind the watermark by more than the allowed lateness. */
  lateRecords: 'tributary.late.records',
  /** Histogram: rows in one scoring batch. */
  scoringBatchSize: 'tributary.scoring.batch.size',
  /** Histogram (s): time a row waited in the batcher before its batch ran. */
  scoringQueueWait: 'tributary.scoring.queue.wait',
  /** Histogram (s): model run time of one batch. */
  scoringInferenceDuration: 'tributary.scoring.inference.duration',
  /** Gauge: 1 for the execution provider each model runs on (emitted by the scoring pool). */
  scoringProvider: 'tributary.scoring.provider',
  /** Histogram (s): event time of the input to the moment its output was produced. */
  e2eLatency: 'tributary.e2e.latency',
  /** Gauge: 1 for each task's current state (`tributary.task.id`, `tributary.task.state`). */
  taskState: 'tributary.task.state',
} as const;

/**
 * Store metrics. The state stores register these themselves through
 * `metrics.getMeter('tributary')`; the names are listed here so the dashboard
 * and `tributary top` can rely on them.
 */
export const storeMetricNames = {
  /** Counter: keys read (`tributary.store.name`). */
  reads: 'tributary.store.reads',
  /** Counter: keys written or deleted. */
  writes: 'tributary.store.writes',
  /** Counter: reads served by the write-back cache. */
  cacheHits: 'tributary.store.cache.hits',
  /** Counter: reads that went to RocksDB. */
  cacheMisses: 'tributary.store.cache.misses',
  /** Gauge (By): size of the store's files on disk. */
  diskSize: 'tributary.store.disk.size',
} as const;

/** Attribute keys used on Tributary's metrics and spans. */
export const attributeNames = {
  messagingSystem: 'messaging.system',
  destination: 'messaging.destination.name',
  partition: 'messaging.destination.partition.id',
  consumerGroup: 'messaging.consumer.group.name',
  errorType: 'error.type',
  errorStage: 'tributary.error.stage',
  stepId: 'tributary.step.id',
  direction: 'tributary.direction',
  /** Which event a step counted (`tributary.step.events`). */
  stepEvent: 'tributary.step.event',
  taskId: 'tributary.task.id',
  taskState: 'tributary.task.state',
  store: 'tributary.store.name',
  model: 'tributary.scoring.model',
  provider: 'tributary.scoring.provider',
  rebalanceKind: 'tributary.rebalance.kind',
  batchSize: 'tributary.batch.size',
} as const;

/** The OpenTelemetry instrument kinds, as far as naming in Prometheus cares. */
export type InstrumentKind = 'counter' | 'histogram' | 'gauge';

/**
 * The name under which the Prometheus exporter publishes an instrument:
 * characters outside `[a-zA-Z0-9_:]` become `_`, counters get `_total`.
 * Histograms are further split into `_bucket`, `_sum` and `_count` series.
 */
export function prometheusName(name: string, kind: InstrumentKind): string {
  const base = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  return kind === 'counter' && !base.endsWith('_total') ? `${base}_total` : base;
}
