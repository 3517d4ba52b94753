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
  /** Hands over the buffered writes (physical keys); reads keep seeing them until `writesApplied`. */
  takeWrites(): Promise<DatabaseWrite[]>;
  /** The batch from `takeWrites` is in RocksDB. */
  writesApplied(): void;
  /** Applies changelog records straight to RocksDB (restore bypasses cache and changelog). */
  restore(entries: readonly RestoredEntry[]): Promise<void>;
}
