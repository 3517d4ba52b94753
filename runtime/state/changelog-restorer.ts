// First: kafkajs' fixes (read_committed, produce grouping) must be in place before kafkajs loads (see the module).
import '../kafka/kafkajs-patches';
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, Kafka } from 'kafkajs';
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
}

interface PartitionRead {
  readonly topic: string;
  readonly partition: number;
  readonly start: bigint;
  readonly end: bigint;
  position: bigint;
}

/**
 * Reads changelog partitions from Kafka for {@link TaskStores.restore}.
 *
 * kafkajs has no manual partition assignment, so each read joins a
 * throwaway consumer group (unique id, no offset commits), pauses the
 * partitions it does not need, seeks the others to their start offsets, reads
 * committed records up to the end offsets taken from the admin client before
 * it started, then disconnects. Control records (transaction markers) move the
 * position too, so a partition whose last offset is a commit marker finishes.
 *
 * End offsets are read with read_committed isolation, i.e. they are the last
 * stable offsets: records of a transaction still open are neither waited for
 * nor restored. Under exactly_once, initialise the task's transactional
 * producer first (that aborts a crashed predecessor's open transaction), so
 * that nothing is left open on the task's own changelog partitions.
 */
export class KafkaChangelogReader implements ChangelogReader {
  constructor(private readonly kafka: Kafka, private readonly options: KafkaChangelogReaderOptions = {}) {}

  async read(requests: readonly ChangelogReadRequest[], onBatch: (batch: ChangelogBatch) => Promise<void>): Promise<ChangelogOffset[]> {
    if (requests.length === 0) return [];
    const reads = await this.plan(requests);
    const result = reads.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.end.toString() }));
    const todo = reads.filter((r) => r.position < r.end);
    if (todo.length === 0) return result;

    const progress = this.options.progress === false
      ? undefined
      : restoreProgress(todo.map((r) => ({ topic: r.topic, partition: r.partition, total: Number(r.end - r.start) })), { tty: this.options.tty, log: this.options.log });
    const consumer = this.kafka.consumer({
      groupId: `tributary-restore-${randomUUID()}`,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      maxBytesPerPartition: this.options.maxBytesPerPartition ?? 8 << 20,
      maxBytes: 64 << 20,
      maxWaitTimeInMs: 200,
    });
    try {
      await this.consume(consumer, todo, onBatch, (r) => progress?.update(r.topic, r.partition, Number(r.position - r.start)));
    } finally {
      progress?.finish();
      await consumer.disconnect().catch(() => undefined);
    }
    return result;
  }

  private async plan(requests: readonly ChangelogReadRequest[]): Promise<PartitionRead[]> {
    const admin: Admin = this.kafka.admin();
    await admin.connect();
    try {
      const byTopic = new Map<string, Array<{ partition: number; high: string; low: string }>>();
      for (const topic of new Set(requests.map((r) => r.topic))) {
        try {
          byTopic.set(topic, await admin.fetchTopicOffsets(topic));
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
        return { topic: r.topic, partition: r.partition, start, end, position: start };
      });
    } finally {
      await admin.disconnect();
    }
  }

  private async consume(
    consumer: Consumer,
    reads: PartitionRead[],
    onBatch: (batch: ChangelogBatch) => Promise<void>,
    onProgress: (read: PartitionRead) => void,
  ): Promise<void> {
    const wanted = new Map(reads.map((r) => [`${r.topic}\u0000${r.partition}`, r]));
    const topics = [...new Set(reads.map((r) => r.topic))];
    let remaining = reads.length;
    let lastMove = Date.now();
    let finish!: () => void;
    let fail!: (error: unknown) => void;
    const finished = new Promise<void>((resolve, reject) => {
      finish = resolve;
      fail = reject;
    });

    const advance = (r: PartitionRead, next: bigint) => {
      if (next <= r.position) return;
      r.position = next;
      lastMove = Date.now();
      onProgress(r);
      if (r.position >= r.end) {
        remaining--;
        consumer.pause([{ topic: r.topic, partitions: [r.partition] }]);
        if (remaining === 0) finish();
      }
    };

    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      // Seek and pause before the first fetch: every assigned partition that
      // is not being restored (or is done) stays paused.
      for (const r of reads) if (r.position < r.end) consumer.seek({ topic: r.topic, partition: r.partition, offset: r.position.toString() });
      const assignment = event.payload.memberAssignment as Record<string, number[]>;
      for (const [topic, partitions] of Object.entries(assignment)) {
        const idle = partitions.filter((p) => {
          const r = wanted.get(`${topic}\u0000${p}`);
          return r === undefined || r.position >= r.end;
        });
        if (idle.length > 0) consumer.pause([{ topic, partitions: idle }]);
      }
    });
    // Batches of only control records or aborted records never reach eachBatch.
    consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
      const r = wanted.get(`${event.payload.topic}\u0000${event.payload.partition}`);
      if (r !== undefined && r.position < r.end) advance(r, BigInt(event.payload.lastOffset) + 1n);
    });
    consumer.on(consumer.events.CRASH, (event) => fail(event.payload.error));

    const stallMs = this.options.stallTimeoutMs ?? 60_000;
    const watchdog = setInterval(() => {
      if (Date.now() - lastMove > stallMs) {
        const stuck = reads.filter((r) => r.position < r.end).map((r) => `${r.topic}[${r.partition}] at ${r.position} of ${r.end}`);
        fail(new StateStoreError(`changelog restore made no progress for ${stallMs} ms: ${stuck.join(', ')} (broker unreachable or partition offline?)`, true));
      }
    }, Math.min(stallMs, 1_000));

    try {
      await consumer.connect();
      for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const r = wanted.get(`${batch.topic}\u0000${batch.partition}`);
          if (r === undefined || r.position >= r.end) return;
          const records = [];
          for (const m of batch.messages) {
            const offset = BigInt(m.offset);
            if (offset < r.position) continue;
            if (offset >= r.end) break;
            records.push({ key: m.key, value: m.value, offset: m.offset });
          }
          if (records.length > 0) await onBatch({ topic: r.topic, partition: r.partition, records, endOffset: r.end.toString() });
          advance(r, BigInt(batch.lastOffset()) + 1n);
        },
      });
      await finished;
    } finally {
      clearInterval(watchdog);
      await consumer.stop().catch(() => undefined);
    }
  }
}
