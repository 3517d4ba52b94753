import { histogramBuckets, histogramQuantile, subtractBuckets } from './internal/histogram-quantile';
import { attributeNames as A, metricNames as M, prometheusName } from './metric-names';
import { sumSamples, type PrometheusScrape } from './prometheus-text';

/** What `tributary top` shows, computed from two scrapes of one process. */
export interface TopSnapshot {
  /** Records per second consumed from sources / produced to sinks over the interval; undefined on the first scrape. */
  readonly inPerSecond?: number;
  readonly outPerSecond?: number;
  readonly consumedTotal: number;
  /** Records produced to the sinks' topics (`tributary.topic.role` = sink; a process that does not label them counts all). */
  readonly sentTotal: number;
  /** Records produced to internal topics (repartition, changelog): the engine's own traffic, not output. */
  readonly internalTotal: number;
  readonly internalPerSecond?: number;
  /** The top finite bucket bound of the end-to-end histogram when a shown percentile lies above it (the figure is then a floor). */
  readonly e2eCapSeconds?: number;
  /** Sum of consumer lag over owned partitions, and the worst partition. */
  readonly lag: number;
  readonly worstLag?: { readonly partition: string; readonly lag: number };
  /** End-to-end latency quantiles in seconds: over the interval when it had outputs, else since start. */
  readonly e2eP50?: number;
  readonly e2eP99?: number;
  /** Mean rows per scoring batch (interval, else since start), and the provider per model. */
  readonly scoringBatchMean?: number;
  readonly scoringProviders: readonly string[];
  readonly dlqTotal: number;
  readonly lateTotal: number;
  readonly tasks: readonly { readonly id: string; readonly state: string }[];
}

const P = {
  consumed: prometheusName(M.consumed, 'counter'),
  sent: prometheusName(M.sent, 'counter'),
  lag: prometheusName(M.consumerLag, 'gauge'),
  e2e: prometheusName(M.e2eLatency, 'histogram'),
  batch: prometheusName(M.scoringBatchSize, 'histogram'),
  // The scoring pool's own rows-per-batch histogram, used when the engine's is empty.
  poolBatch: 'tributary_scoring_batch_rows',
  provider: prometheusName(M.scoringProvider, 'gauge'),
  dlq: prometheusName(M.dlqRecords, 'counter'),
  late: prometheusName(M.lateRecords, 'counter'),
  task: prometheusName(M.taskState, 'gauge'),
};
// Prometheus label names are the attribute names with dots made underscores.
const label = (attribute: string): string => attribute.replace(/[^a-zA-Z0-9_]/g, '_');

/**
 * Records sent to topics of one role. Series without the role label (a process that does not
 * set it) count as sinks, as all sent records did before the label existed.
 */
function sentTo(role: 'sink' | 'internal', scrape: PrometheusScrape): number {
  let total = 0;
  for (const s of scrape.samples) {
    if (s.name !== P.sent) continue;
    const r = s.labels[label(A.topicRole)] ?? 'sink';
    if (r === role) total += s.value;
  }
  return total;
}

/**
 * Reduce a scrape (and the one before it, `seconds` earlier) to the figures
 * `tributary top` shows. Rates need the previous scrape.
 */
export function summarizeTop(now: PrometheusScrape, before?: PrometheusScrape, seconds?: number): TopSnapshot {
  const consumedTotal = sumSamples(now, P.consumed);
  const sentTotal = sentTo('sink', now);
  const internalTotal = sentTo('internal', now);
  const change = (total: number, previous: number): number | undefined =>
    before && seconds && seconds > 0 ? Math.max(0, total - previous) / seconds : undefined;
  const rate = (total: number, name: string): number | undefined => (before ? change(total, sumSamples(before, name)) : undefined);

  let lag = 0;
  let worstLag: TopSnapshot['worstLag'];
  for (const s of now.samples) {
    if (s.name !== P.lag) continue;
    lag += s.value;
    if (!worstLag || s.value > worstLag.lag) {
      worstLag = { partition: `${s.labels[label(A.destination)] ?? '?'}/${s.labels[label(A.partition)] ?? '?'}`, lag: s.value };
    }
  }

  const e2eNow = histogramBuckets(now, P.e2e);
  let e2e = before ? subtractBuckets(e2eNow, histogramBuckets(before, P.e2e)) : e2eNow;
  if (histogramQuantile(0.5, e2e) === undefined) e2e = e2eNow;

  const batchName = sumSamples(now, `${P.batch}_count`) > 0 ? P.batch : P.poolBatch;
  const batchCount = sumSamples(now, `${batchName}_count`);
  const batchSum = sumSamples(now, `${batchName}_sum`);
  const dCount = before ? batchCount - sumSamples(before, `${batchName}_count`) : 0;
  const dSum = before ? batchSum - sumSamples(before, `${batchName}_sum`) : 0;
  const scoringBatchMean = dCount > 0 ? dSum / dCount : batchCount > 0 ? batchSum / batchCount : undefined;

  const scoringProviders = now.samples
    .filter((s) => s.name === P.provider && s.value === 1)
    .map((s) => `${s.labels[label(A.model)] ?? s.labels.model ?? '?'}:${s.labels[label(A.provider)] ?? s.labels.provider ?? '?'}`)
    .sort();
  const tasks = now.samples
    .filter((s) => s.name === P.task && s.value === 1)
    .map((s) => ({ id: s.labels[label(A.taskId)] ?? '?', state: s.labels[label(A.taskState)] ?? '?' }))
    .sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));

  const e2eP50 = histogramQuantile(0.5, e2e);
  const e2eP99 = histogramQuantile(0.99, e2e);
  const topBound = Math.max(0, ...[...e2e.keys()].filter((le) => Number.isFinite(le)));
  const beyond = (e2e.get(Infinity) ?? 0) > (e2e.get(topBound) ?? 0);
  return {
    inPerSecond: rate(consumedTotal, P.consumed),
    outPerSecond: before ? change(sentTotal, sentTo('sink', before)) : undefined,
    consumedTotal,
    sentTotal,
    internalTotal,
    internalPerSecond: before ? change(internalTotal, sentTo('internal', before)) : undefined,
    lag,
    worstLag,
    e2eP50,
    e2eP99,
    ...(beyond && e2eP99 !== undefined && e2eP99 >= topBound ? { e2eCapSeconds: topBound } : {}),
    scoringBatchMean,
    scoringProviders,
    dlqTotal: sumSamples(now, P.dlq),
    lateTotal: sumSamples(now, P.late),
    tasks,
  };
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const dur = (s: number | undefined): string =>
  s === undefined ? '-' : s < 1 ? `${(s * 1000).toFixed(s < 0.01 ? 2 : 0)} ms` : `${s.toFixed(2)} s`;

/** A percentile at or above the histogram's top bound is only known to be beyond it: `>30.00 s`. */
export function capped(format: (s: number | undefined) => string, value: number | undefined, cap: number | undefined): string {
  return value !== undefined && cap !== undefined && value >= cap ? `>${format(cap)}` : format(value);
}

/** The lines `tributary top` prints for one snapshot. Stable wording: tests and scripts read it. */
export function renderTop(snapshot: TopSnapshot, source: string, at: Date = new Date()): string[] {
  const s = snapshot;
  const tasksByState = new Map<string, string[]>();
  for (const t of s.tasks) tasksByState.set(t.state, [...(tasksByState.get(t.state) ?? []), t.id]);
  const taskText = s.tasks.length === 0 ? 'none' : [...tasksByState].map(([state, ids]) => `${state} ${ids.length} (${ids.join(' ')})`).join(', ');
  return [
    `tributary top  ${source}  ${at.toISOString().slice(11, 19)} UTC`,
    `throughput   in ${s.inPerSecond === undefined ? '-' : int(s.inPerSecond)} rec/s   out ${s.outPerSecond === undefined ? '-' : int(s.outPerSecond)} rec/s   (total in ${int(s.consumedTotal)}, out ${int(s.sentTotal)})`,
    `internal     ${s.internalPerSecond === undefined ? '-' : int(s.internalPerSecond)} rec/s   (total ${int(s.internalTotal)}: repartition and changelog records)`,
    `lag          ${int(s.lag)} records${s.worstLag ? `   worst ${s.worstLag.partition} ${int(s.worstLag.lag)}` : ''}`,
    `e2e latency  p50 ${capped(dur, s.e2eP50, s.e2eCapSeconds)}   p99 ${capped(dur, s.e2eP99, s.e2eCapSeconds)}`,
    `scoring      batch ${s.scoringBatchMean === undefined ? '-' : s.scoringBatchMean.toFixed(1)} rows   providers ${s.scoringProviders.length ? s.scoringProviders.join(' ') : '-'}`,
    `errors       dlq ${int(s.dlqTotal)}   late ${int(s.lateTotal)}`,
    `tasks        ${taskText}`,
  ];
}
