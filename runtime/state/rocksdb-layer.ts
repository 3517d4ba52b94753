import type { BytesStore } from './bytes-store';
import type { DatabaseWrite } from './task-database';

/** A changelog record being restored: a store key and its value, `null` for a tombstone. */
export interface RestoredEntry {
  readonly key: Buffer;
  readonly value: Buffer | null;
}

/**
 * The innermost layer of a store, over the task's shared RocksDB instance.
 * Its buffered writes are collected by {@link TaskStores.flush} into one write
 * batch for the whole task.
 */
export interface RocksDbLayer extends BytesStore {
  /**
   * Closes the commit unit's write batch: writes buffered so far join it, later ones start the
   * next batch. Reads keep seeing both until {@link writesApplied}.
   */
  sealWrites(): void;
  /** The sealed write batch (physical keys), for one RocksDB write after the commit. */
  takeWrites(): DatabaseWrite[];
  /** The sealed batch is in RocksDB. */
  writesApplied(): void;
  /** Applies changelog records straight to RocksDB (restore bypasses cache and changelog). */
  restore(entries: readonly RestoredEntry[]): Promise<void>;
}
