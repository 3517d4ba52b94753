/**
 * One record for a changelog topic, returned by {@link TaskStores.flush} so the
 * task produces it (in the same transaction as its outputs under exactly_once).
 * `value: null` is a tombstone (the key was deleted).
 */
export interface ChangelogRecord {
  readonly topic: string;
  readonly partition: number;
  readonly key: Buffer;
  readonly value: Buffer | null;
}

/**
 * A changelog position: `offset` is the next offset to read, i.e. one past the
 * last changelog record the local state reflects (decimal string, Kafka style).
 */
export interface ChangelogOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}
