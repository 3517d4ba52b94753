import type { ChangelogOffset, ChangelogRecord } from './changelog-record';

/** The part of a kafkajs `RecordMetadata` (producer.send / transaction.send result) used here. */
export interface SentPartition {
  readonly topicName: string;
  readonly partition: number;
  readonly baseOffset?: string;
}

/**
 * The checkpoint offsets after producing `records`: for each changelog
 * partition, base offset of its produced batch + number of records sent to it.
 * Pass the result to {@link TaskStores.commitApplied}. A partition whose
 * metadata has no base offset is left out (its checkpoint stays where it was,
 * which only makes a later restore read more).
 */
export function nextChangelogOffsets(records: readonly ChangelogRecord[], sent: readonly SentPartition[]): ChangelogOffset[] {
  const counts = new Map<string, number>();
  for (const r of records) {
    const k = `${r.topic}\u0000${r.partition}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const out: ChangelogOffset[] = [];
  for (const m of sent) {
    const n = counts.get(`${m.topicName}\u0000${m.partition}`);
    if (n === undefined || m.baseOffset === undefined) continue;
    out.push({ topic: m.topicName, partition: m.partition, offset: (BigInt(m.baseOffset) + BigInt(n)).toString() });
  }
  return out;
}
