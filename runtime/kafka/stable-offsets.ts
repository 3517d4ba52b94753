import type { GroupConsumer, KafkaAdmin } from './client/kafka-client';

/**
 * Under exactly_once, start a newly created task from the offsets its
 * previous owner's last transaction committed, not from the ones the client
 * fetched when the group assigned the partition.
 *
 * Why: a transaction's offsets become visible to OffsetFetch only when its
 * commit markers reach `__consumer_offsets`, which happens after EndTxn has
 * already returned to the previous owner. Java clients close that window with
 * KIP-447's `require_stable` (OffsetFetch v7); kafkajs stops at v4, so the
 * offsets it fetched at assignment can predate a transaction whose changelog
 * records the restore then reads, and the task would apply those input
 * records twice. The task's initTransactions has completed (or aborted) every
 * earlier transaction of its transactional id before this runs, so the
 * offsets fetched here are stable. Seeking marks batches fetched from the old
 * offsets stale (the app drops them); with autoCommit off it commits nothing.
 */
export async function seekToStableOffsets(admin: KafkaAdmin, consumer: GroupConsumer, groupId: string, topics: readonly string[], partition: number): Promise<void> {
  for (const committed of await admin.groupOffsets(groupId, topics)) {
    // -1: the group never committed this partition; the reset policy applies, as the client already did.
    if (committed.partition !== partition || BigInt(committed.offset) < 0n) continue;
    consumer.seek(committed.topic, partition, committed.offset);
  }
}
