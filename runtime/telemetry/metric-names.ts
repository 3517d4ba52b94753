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
  /** Counter: records polled from a source topic (semantic convention; `messaging.operation.name` = poll). */
  consumed: 'messaging.client.consumed.messages',
  /** Counter: records the producer sent, per topic (semantic convention; `messaging.operation.name` = send; `tributary.topic.role` = sink \| internal \| dlq; `error.type` when the send failed). */
  sent: 'messaging.client.sent.messages',
  /** Histogram (s): time to process one fetched batch of one partition, steps to produce (semantic convention; `messaging.operation.name` = process). */
  processDuration: 'messaging.process.duration',
  /** Histogram (s): duration of a client call to Kafka (semantic convention; `messaging.operation.name` = send, commit (offsets) or commit_transaction). */
  operationDuration: 'messaging.client.operation.duration',
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

/**
 * RocksDB metrics, per task's RocksDB instance (`tributary.task.id`), read from RocksDB's
 * properties at each collection (runtime/state/internal/rocksdb-instruments.ts).
 */
export const rocksdbMetricNames = {
  /** Gauge: estimated keys of all the task's stores (`rocksdb.estimate-num-keys`). */
  keys: 'tributary.rocksdb.keys',
  /** Gauge (By): size of the SST files (`rocksdb.total-sst-files-size`). */
  sstSize: 'tributary.rocksdb.sst.size',
  /** Gauge (By): size of the memtables (`rocksdb.cur-size-all-mem-tables`). */
  memtableSize: 'tributary.rocksdb.memtable.size',
  /** Gauge (By): bytes in the block cache (`rocksdb.block-cache-usage`). */
  blockCacheUsage: 'tributary.rocksdb.block_cache.usage',
  /** Gauge (By): bytes compaction still has to rewrite (`rocksdb.estimate-pending-compaction-bytes`). */
  pendingCompaction: 'tributary.rocksdb.compaction.pending',
  /** Gauge: flush and compaction errors since the instance opened (`rocksdb.background-errors`). */
  backgroundErrors: 'tributary.rocksdb.background_errors',
} as const;

/**
 * Node.js runtime metrics, from `@opentelemetry/instrumentation-runtime-node` (semantic-convention
 * names; a selection of what it exports, the ones the dashboard shows).
 */
export const runtimeMetricNames = {
  /** Gauge (s): 99th percentile of the event-loop delay since the last collection. */
  eventLoopDelayP99: 'nodejs.eventloop.delay.p99',
  /** Gauge (s): largest event-loop delay since the last collection. */
  eventLoopDelayMax: 'nodejs.eventloop.delay.max',
  /** Gauge (1): share of time the event loop was busy since the last collection. */
  eventLoopUtilization: 'nodejs.eventloop.utilization',
  /** Histogram (s): garbage-collection pauses (`v8js.gc.type`). */
  gcDuration: 'v8js.gc.duration',
  /** Gauge (By): heap used, per heap space (`v8js.heap.space.name`). */
  heapUsed: 'v8js.memory.heap.used',
  /** Gauge (By): heap committed, per heap space. */
  heapSize: 'v8js.memory.heap.space.size',
} as const;

/** Attribute keys used on Tributary's metrics and spans. */
export const attributeNames = {
  messagingSystem: 'messaging.system',
  /** What the client did: poll, process, send, commit, commit_transaction. */
  operationName: 'messaging.operation.name',
  /** The semantic convention's kind of operation: receive, process, send, settle. */
  operationType: 'messaging.operation.type',
  /** Messages in a batch operation (spans). */
  batchMessageCount: 'messaging.batch.message_count',
  /** What a produced topic is to the application: sink, internal (repartition, changelog, exchange) or dlq. */
  topicRole: 'tributary.topic.role',
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
