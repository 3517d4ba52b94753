import type { Logger } from '../../core/logger';
import type { KafkaAdmin, KafkaClient, TopicPartitionOffset } from './client/kafka-client';

/** Retriable purge failures in a row before they are worth a warning. */
const WARN_AFTER_RETRIABLE = 3;

/**
 * Deletes what this process's tasks have committed of the repartition topics, as Kafka
 * Streams does (`repartition.purge.interval.ms`). Those topics are kept without a time
 * limit (old event times must not be deleted before they are read, see internal-topics.ts),
 * so without a purge they would grow for ever.
 *
 * Safe because the application's group is the only reader of its repartition topics: a
 * committed offset is never read below again (a task that moves starts from it, a crash
 * replays from it). Each process purges only what its own commits covered; a failed purge
 * is retried at the next interval with the latest offsets — it never stops the app. A failure
 * the client calls retriable (a topic created moments ago has no leader yet) is logged at debug
 * level until it happens {@link WARN_AFTER_RETRIABLE} times in a row; any other at warn.
 */
export class RepartitionPurger {
  /** Purges that failed in a row, reset by one that succeeds. */
  private failuresInARow = 0;
  /** Per `topic/partition`: the highest committed offset not yet purged. */
  private readonly due = new Map<string, TopicPartitionOffset>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private admin?: KafkaAdmin;

  constructor(
    private readonly client: KafkaClient,
    private readonly repartitionTopics: ReadonlySet<string>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  /** Starts the periodic purge (nothing to do when the topology has no repartition topic). */
  start(): void {
    if (this.repartitionTopics.size === 0) return;
    this.timer = setInterval(() => { void this.purge(); }, this.intervalMs);
    this.timer.unref();
  }

  /** A task committed these offsets: the repartition ones become due for purging. */
  noteCommitted(offsets: readonly TopicPartitionOffset[]): void {
    for (const o of offsets) {
      if (!this.repartitionTopics.has(o.topic)) continue;
      const lane = `${o.topic}/${o.partition}`;
      const known = this.due.get(lane);
      if (known === undefined || BigInt(known.offset) < BigInt(o.offset)) this.due.set(lane, o);
    }
  }

  /** One purge of everything due (also called by tests); concurrent calls share one run. */
  purge(): Promise<void> {
    this.running ??= this.purgeDue().finally(() => { this.running = undefined; });
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.admin?.close().catch(() => undefined);
    this.admin = undefined;
  }

  private async purgeDue(): Promise<void> {
    if (this.due.size === 0) return;
    const offsets = [...this.due.values()];
    this.due.clear();
    try {
      this.admin ??= await this.client.admin();
      await this.admin.deleteRecordsBefore(offsets);
      this.failuresInARow = 0;
    } catch (error) {
      this.failuresInARow++;
      // Put back what is not superseded: the next run deletes up to the newest commit.
      this.noteCommitted(offsets);
      await this.admin?.close().catch(() => undefined);
      this.admin = undefined;
      const transient = this.client.isRecoverable(error) && this.failuresInARow < WARN_AFTER_RETRIABLE;
      this.logger[transient ? 'debug' : 'warn']('repartition purge failed; retried at the next interval', { error, partitions: offsets.length, failuresInARow: this.failuresInARow });
    }
  }
}
