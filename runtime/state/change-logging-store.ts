import type { BytesStore, StoreLayerKind } from './bytes-store';
import type { RestoredEntry } from './rocksdb-layer';

/**
 * The change-logging layer: every write that reaches it becomes a changelog
 * record (key bytes, value bytes or null). Under a cache only the flushed
 * latest value of each key reaches it, so a hot key costs one record per
 * commit; without a cache every write does.
 */
export class ChangeLoggingStore implements BytesStore {
  readonly layer: StoreLayerKind = 'change-logging';
  private records: RestoredEntry[] = [];

  constructor(private readonly inner: BytesStore) {}

  get name(): string {
    return this.inner.name;
  }

  get(key: Buffer): Promise<Buffer | undefined> {
    return this.inner.get(key);
  }

  getMany(keys: readonly Buffer[]): Promise<Array<Buffer | undefined>> {
    return this.inner.getMany(keys);
  }

  put(key: Buffer, value: Buffer | null): void {
    this.records.push({ key, value });
    this.inner.put(key, value);
  }

  range(from?: Buffer, to?: Buffer): AsyncIterable<[Buffer, Buffer]> {
    return this.inner.range(from, to);
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  /** The records logged since the last call, in write order. */
  takeRecords(): RestoredEntry[] {
    const out = this.records;
    this.records = [];
    return out;
  }

  /** Records logged and not yet taken. */
  get pendingRecords(): number {
    return this.records.length;
  }
}
