import type { Logger } from '../../core/logger';

/**
 * Warns, once per sink topic, when the application writes records whose timestamps are
 * already older than the topic's time retention. An output keeps its trigger's event time as
 * its Kafka timestamp, and the broker deletes records by that timestamp at its next retention
 * check (every 5 minutes by default): results of a replay or a backlog of old events vanish
 * minutes after they were written, with no error anywhere. Kafka Streams leaves this to the
 * user; the flagship bench lost its recommendations to it (docs/partitions.md). The records
 * are still written: whether a short retention is wanted is the user's call.
 */
export class SinkRetentionGuard {
  private readonly warned = new Set<string>();

  constructor(
    /** Sink topic → time retention (ms); topics that keep records by time are absent. */
    private readonly retentionMs: ReadonlyMap<string, number>,
    /** Sink topic → the sink's name in the topology file. */
    private readonly sinkNames: ReadonlyMap<string, string>,
    private readonly logger: Logger,
  ) {}

  /** Checks one output record's timestamp, written to `topic` at `now`. */
  written(topic: string, timestampMs: number, now: number): void {
    const retention = this.retentionMs.get(topic);
    if (retention === undefined || now - timestampMs <= retention || this.warned.has(topic)) return;
    this.warned.add(topic);
    const sink = this.sinkNames.get(topic) ?? topic;
    this.logger.warn(
      `sink '${sink}' writes records ${age(now - timestampMs)} old to topic '${topic}', which deletes records older than ${age(retention)} (retention.ms ${retention}) by their timestamps: the broker removes them at its next retention check. Give the sink topicConfig: { retention.ms: -1 } (or a longer retention) if they must stay; warned once per topic`,
      { sink, topic, retentionMs: retention, recordAgeMs: now - timestampMs },
    );
  }
}

/** A duration in the largest whole unit that fits (for the warning). */
function age(ms: number): string {
  const units: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000], ['s', 1_000]];
  for (const [unit, size] of units) if (ms >= size) return `${Math.floor(ms / size)} ${unit}`;
  return `${ms} ms`;
}
