import type { ChangelogOffset, ChangelogRecord } from './changelog-record';

/** The part of a produce result (a client seam `SendResult`) used here. */
export interface SentPartition {
  readonly topic: string;
  readonly partition: number;
  readonly baseOffset?: string;
}

/**
 * The checkpoint offsets after producing `records` (pass the result to
 * {@link TaskStores.commitApplied}). `sent` is every send result of the
 * commit's sends, in any number of requests:
 *
 * - one produced batch for a changelog partition: its base offset + the
 *   number of records sent to it (exact);
 * - several batches (the records went out in chunks): the highest base
 *   offset + 1, a lower bound, since the other chunks' sizes are not known
 *   here: a later restore re-reads the rest of the last chunk, which is
 *   harmless (records apply idempotently, in order).
 *
 * A partition without a base offset is left out (its checkpoint stays where it
 * was, which only makes a later restore read more).
 */
export function nextChangelogOffsets(records: readonly ChangelogRecord[], sent: readonly SentPartition[]): ChangelogOffset[] {
  const counts = new Map<string, number>();
  for (const r of records) {
    const k = `${r.topic}\u0000${r.partition}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const batches = new Map<string, { topic: string; partition: number; bases: bigint[] }>();
  for (const m of sent) {
    const k = `${m.topic}\u0000${m.partition}`;
    if (!counts.has(k) || m.baseOffset === undefined) continue;
    const entry = batches.get(k) ?? { topic: m.topic, partition: m.partition, bases: [] };
    entry.bases.push(BigInt(m.baseOffset));
    batches.set(k, entry);
  }
  const out: ChangelogOffset[] = [];
  for (const [k, { topic, partition, bases }] of batches) {
    const next = bases.length === 1
      ? bases[0] + BigInt(counts.get(k)!)
      : bases.reduce((a, b) => (b > a ? b : a)) + 1n;
    out.push({ topic, partition, offset: next.toString() });
  }
  return out;
}
