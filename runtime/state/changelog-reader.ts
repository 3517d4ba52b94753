import type { ChangelogOffset } from './changelog-record';

/** Where to start reading one changelog partition; no offset means from the beginning. */
export interface ChangelogReadRequest {
  readonly topic: string;
  readonly partition: number;
  readonly fromOffset?: string;
}

/** A batch of changelog records of one partition, in offset order. */
export interface ChangelogBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: ReadonlyArray<{ readonly key: Buffer | null; readonly value: Buffer | null; readonly offset: string }>;
  /** The offset the read of this partition stops at, when the reader knows it (for progress metrics). */
  readonly endOffset?: string;
}

/**
 * Reads changelog partitions up to their end for {@link TaskStores.restore}.
 * {@link KafkaChangelogReader} reads Kafka; tests may read anything else.
 */
export interface ChangelogReader {
  /**
   * Reads each partition from its start offset to the end offset it has when
   * the call begins, handing batches to `onBatch` one at a time (the next
   * waits for the promise). Resolves with each partition's end offset.
   */
  read(requests: readonly ChangelogReadRequest[], onBatch: (batch: ChangelogBatch) => Promise<void>): Promise<ChangelogOffset[]>;
}
