import { randomUUID } from 'node:crypto';
import type { IHeaders, Kafka } from 'kafkajs';

/** One record read back from a topic. */
export interface ReadRecord {
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
  readonly timestamp: string;
}

/** Options of {@link readTopic}. */
export interface ReadTopicOptions {
  /** `read_committed` hides aborted transactional records (use it for exactly-once outputs). */
  readonly isolation: 'read_committed' | 'read_uncommitted';
  readonly onRecord: (record: ReadRecord) => void;
  /**
   * Quiet time after which the read ends even if a partition is not at its end offset; under
   * read_committed a partition ends with transaction markers that are never delivered.
   */
  readonly idleMs?: number;
  /** Hard limit on the whole read. */
  readonly timeoutMs?: number;
}

/** How a read went. */
export interface ReadTopicSummary {
  readonly records: number;
  readonly elapsedMs: number;
  /** True when every partition reached the end offset it had when the read began. */
  readonly reachedEnd: boolean;
}

/**
 * Reads a topic from the beginning up to the end offsets it has when the call starts, with a
 * throw-away consumer group, calling `onRecord` for each record in partition order.
 */
export async function readTopic(kafka: Kafka, topic: string, opts: ReadTopicOptions): Promise<ReadTopicSummary> {
  const idleMs = opts.idleMs ?? 3000;
  const timeoutMs = opts.timeoutMs ?? 300_000;
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, number>;
  try {
    ends = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
  } finally {
    await admin.disconnect();
  }
  const started = Date.now();
  const positions = new Map<number, number>([...ends.keys()].map((p) => [p, 0]));
  const atEnd = (slack: number): boolean => [...ends].every(([p, end]) => (positions.get(p) ?? 0) >= end - slack);
  if (atEnd(0)) return { records: 0, elapsedMs: 0, reachedEnd: true };

  const groupId = `tributary-reader-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: opts.isolation === 'read_uncommitted', maxBytes: 16 << 20 });
  let records = 0;
  let lastProgress = Date.now();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          records++;
          opts.onRecord({ partition: batch.partition, offset: m.offset, key: m.key, value: m.value, headers: m.headers ?? {}, timestamp: m.timestamp });
        }
        const last = Number(batch.lastOffset());
        if (last + 1 > (positions.get(batch.partition) ?? 0)) positions.set(batch.partition, last + 1);
        lastProgress = Date.now();
      },
    });
    for (;;) {
      if (atEnd(0)) break;
      const quiet = Date.now() - lastProgress;
      // A trailing commit marker is one offset no record stands on.
      if (opts.isolation === 'read_committed' && quiet >= 1000 && atEnd(1)) break;
      if (quiet >= idleMs || Date.now() - started >= timeoutMs) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await consumer.disconnect();
    const admin2 = kafka.admin();
    await admin2.connect().then(() => admin2.deleteGroups([groupId])).catch(() => undefined).finally(() => admin2.disconnect());
  }
  return { records, elapsedMs: Date.now() - started, reachedEnd: atEnd(opts.isolation === 'read_committed' ? 1 : 0) };
}
