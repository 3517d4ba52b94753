import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { PartitionRange, RangeBatch, RangeReadOptions } from '../kafka-client';

interface RangeRead {
  readonly topic: string;
  readonly partition: number;
  readonly end: bigint;
  position: bigint;
  done: boolean;
}

/**
 * Reads partition ranges with kafkajs, which has no manual partition
 * assignment: the read joins a throwaway consumer group (unique id, no offset
 * commits), pauses the partitions it does not need, seeks the others to
 * their start offsets, reads committed records up to the ends, then
 * disconnects. Control records (transaction markers) move the position too,
 * so a partition whose last offset is a commit marker finishes.
 */
export async function readRangesWithKafkajs(
  kafka: Kafka,
  ranges: readonly PartitionRange[],
  onBatch: (batch: RangeBatch) => Promise<void>,
  options: RangeReadOptions,
): Promise<void> {
  const reads: RangeRead[] = ranges
    .map((r) => ({ topic: r.topic, partition: r.partition, end: BigInt(r.to), position: BigInt(r.from), done: false }))
    .filter((r) => r.position < r.end);
  if (reads.length === 0) return;
  const wanted = new Map(reads.map((r) => [`${r.topic}\u0000${r.partition}`, r]));
  const consumer = kafka.consumer({
    groupId: `tributary-restore-${randomUUID()}`,
    readUncommitted: false,
    allowAutoTopicCreation: false,
    maxBytesPerPartition: options.maxBytesPerPartition,
    maxBytes: Math.max(64 << 20, options.maxBytesPerPartition),
    // How long the broker holds a fetch that finds nothing (data answers it at once): a follower of
    // an idle topic (a global store, the alignment exchange) asks this often. Kafka's default.
    maxWaitTimeInMs: 500,
  });
  let remaining = reads.length;
  let finish!: () => void;
  let fail!: (error: unknown) => void;
  const finished = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const onAbort = () => fail(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  // A batch's records first, then the position after them (the caller reports progress from it).
  const advance = async (r: RangeRead, next: bigint, messages: RangeBatch['messages']) => {
    if (next <= r.position && messages.length === 0) return;
    if (next > r.position) r.position = next;
    await onBatch({ topic: r.topic, partition: r.partition, messages, nextOffset: r.position.toString() });
    if (r.position >= r.end && !r.done) {
      r.done = true;
      remaining--;
      consumer.pause([{ topic: r.topic, partitions: [r.partition] }]);
      if (remaining === 0) finish();
    }
  };

  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    // Seek and pause before the first fetch: every assigned partition that
    // is not being read (or is done) stays paused.
    for (const r of reads) if (r.position < r.end) consumer.seek({ topic: r.topic, partition: r.partition, offset: r.position.toString() });
    for (const [topic, partitions] of Object.entries(event.payload.memberAssignment as Record<string, number[]>)) {
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
    if (r !== undefined && r.position < r.end) advance(r, BigInt(event.payload.lastOffset) + 1n, []).catch(fail);
  });
  consumer.on(consumer.events.CRASH, (event) => fail(event.payload.error));

  try {
    await consumer.connect();
    for (const topic of new Set(reads.map((r) => r.topic))) await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const r = wanted.get(`${batch.topic}\u0000${batch.partition}`);
        if (r === undefined || r.position >= r.end) return;
        const messages = [];
        for (const m of batch.messages) {
          const offset = BigInt(m.offset);
          if (offset < r.position) continue;
          if (offset >= r.end) break;
          messages.push(m);
        }
        await advance(r, BigInt(batch.lastOffset()) + 1n, messages);
      },
    });
    await finished;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await consumer.stop().catch(() => undefined);
    await consumer.disconnect().catch(() => undefined);
  }
}
