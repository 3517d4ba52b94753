import type { KafkaAdmin, KafkaClient, RangeBatch } from '../kafka/client/kafka-client';
import type { ChangelogBatch, ChangelogReader, ChangelogReadRequest } from './changelog-reader';
import type { ChangelogOffset } from './changelog-record';
import { StateStoreError } from './errors';
import { restoreProgress, type ProgressLog } from './restore-progress';

/** Options of {@link KafkaChangelogReader}. */
export interface KafkaChangelogReaderOptions {
  /** Progress bars on a terminal, lines otherwise (default true). */
  readonly progress?: boolean;
  /** Force bars (true) or lines (false); default: whether stderr is a TTY. */
  readonly tty?: boolean;
  readonly log?: ProgressLog;
  /** Fail (retriable) when no partition moves for this long (default 60 s), rather than wait forever on a broker that stopped answering. */
  readonly stallTimeoutMs?: number;
  /** Bytes per partition per fetch (default 8 MiB): larger fetches, larger RocksDB batches. */
  readonly maxBytesPerPartition?: number;
  /** An admin client to read end offsets with, left open (standby updates read often); default: one per read, closed after. */
  readonly admin?: KafkaAdmin;
  /** Aborting ends the read with the signal's reason (a standby copy handed to its active task). */
  readonly signal?: AbortSignal;
}

interface PartitionRead {
  readonly topic: string;
  readonly partition: number;
  readonly start: bigint;
  readonly end: bigint;
}

/**
 * Reads changelog partitions from Kafka for {@link TaskStores.restore}: plans
 * each partition's range (from the checkpoint, or the log start, to the end
 * offset taken before the read starts), reads the ranges through the client
 * seam, reports progress, and fails (retriable) when no partition moves for
 * `stallTimeoutMs`.
 *
 * End offsets are read with read_committed isolation, i.e. they are the last
 * stable offsets: records of a transaction still open are neither waited for
 * nor restored. Under exactly_once, initialise the task's transactional
 * producer first (that aborts a crashed predecessor's open transaction), so
 * that nothing is left open on the task's own changelog partitions.
 */
export class KafkaChangelogReader implements ChangelogReader {
  constructor(private readonly client: KafkaClient, private readonly options: KafkaChangelogReaderOptions = {}) {}

  async read(requests: readonly ChangelogReadRequest[], onBatch: (batch: ChangelogBatch) => Promise<void>): Promise<ChangelogOffset[]> {
    if (requests.length === 0) return [];
    const reads = await this.plan(requests);
    const result = reads.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.end.toString() }));
    const todo = reads.filter((r) => r.start < r.end);
    if (todo.length === 0) return result;

    const progress = this.options.progress === false
      ? undefined
      : restoreProgress(todo.map((r) => ({ topic: r.topic, partition: r.partition, total: Number(r.end - r.start) })), { tty: this.options.tty, log: this.options.log });
    const byPartition = new Map(todo.map((r) => [`${r.topic}\u0000${r.partition}`, r]));
    const position = new Map(todo.map((r) => [r, r.start]));
    const stallMs = this.options.stallTimeoutMs ?? 60_000;
    let lastMove = Date.now();
    const stall = new AbortController();
    const watchdog = setInterval(() => {
      if (Date.now() - lastMove <= stallMs) return;
      const stuck = todo.filter((r) => position.get(r)! < r.end).map((r) => `${r.topic}[${r.partition}] at ${position.get(r)} of ${r.end}`);
      stall.abort(new StateStoreError(`changelog restore made no progress for ${stallMs} ms: ${stuck.join(', ')} (broker unreachable or partition offline?)`, true));
    }, Math.min(stallMs, 1_000));
    const onRange = async (batch: RangeBatch): Promise<void> => {
      const r = byPartition.get(`${batch.topic}\u0000${batch.partition}`)!;
      if (batch.messages.length > 0) {
        const records = batch.messages.map((m) => ({ key: m.key, value: m.value, offset: m.offset }));
        await onBatch({ topic: r.topic, partition: r.partition, records, endOffset: r.end.toString() });
      }
      const next = BigInt(batch.nextOffset);
      if (next > position.get(r)!) {
        position.set(r, next);
        lastMove = Date.now();
        progress?.update(r.topic, r.partition, Number(next - r.start));
      }
    };
    try {
      await this.client.readRanges(
        todo.map((r) => ({ topic: r.topic, partition: r.partition, from: r.start.toString(), to: r.end.toString() })),
        onRange,
        { maxBytesPerPartition: this.options.maxBytesPerPartition ?? 8 << 20, signal: this.options.signal ? AbortSignal.any([stall.signal, this.options.signal]) : stall.signal },
      );
    } finally {
      clearInterval(watchdog);
      progress?.finish();
    }
    return result;
  }

  private async plan(requests: readonly ChangelogReadRequest[]): Promise<PartitionRead[]> {
    const admin: KafkaAdmin = this.options.admin ?? await this.client.admin();
    try {
      const byTopic = new Map<string, Array<{ partition: number; high: string; low: string }>>();
      for (const topic of new Set(requests.map((r) => r.topic))) {
        try {
          byTopic.set(topic, await admin.topicOffsets(topic));
        } catch (cause) {
          throw new StateStoreError(`cannot read the end offsets of changelog ${topic}: ${(cause as Error).message}`, true, {}, { cause });
        }
      }
      return requests.map((r) => {
        const offsets = byTopic.get(r.topic)!.find((p) => p.partition === r.partition);
        if (offsets === undefined) {
          throw new StateStoreError(`changelog ${r.topic} has no partition ${r.partition} (created with too few partitions?)`, false);
        }
        const low = BigInt(offsets.low);
        const end = BigInt(offsets.high);
        const from = r.fromOffset === undefined ? low : BigInt(r.fromOffset);
        if (from > end) {
          throw new StateStoreError(
            `checkpoint of ${r.topic}[${r.partition}] is at offset ${from} but the changelog ends at ${end}: the topic was recreated or truncated; wipe the task's state and restore again`,
            false);
        }
        const start = from < low ? low : from;
        return { topic: r.topic, partition: r.partition, start, end };
      });
    } finally {
      if (this.options.admin === undefined) await admin.close();
    }
  }
}
