import { metrics, type Attributes, type BatchObservableResult, type MeterProvider, type Observable } from '@opentelemetry/api';
import type { TaskDatabase } from '../task-database';
import { prefixEnd } from './byte-keys';
import { dataPrefix } from './store-prefix';
import { storeAttributeNames } from './store-instruments';
import { rocksdbMetricNames, storeMetricNames } from '../../telemetry/metric-names';

/** The instruments' names: the RocksDB table of metric-names.ts, and the per-store size. */
export const rocksdbInstrumentNames = { ...rocksdbMetricNames, storeDiskSize: storeMetricNames.diskSize } as const;

/** Each gauge and the RocksDB property it reads (`DB::GetProperty`, as the `rocksdb` binding exposes it). */
const properties: ReadonlyArray<readonly [keyof typeof rocksdbMetricNames, string, string, string]> = [
  ['keys', 'rocksdb.estimate-num-keys', '{key}', 'Estimated keys in the task\'s RocksDB (all its stores)'],
  ['sstSize', 'rocksdb.total-sst-files-size', 'By', 'Size of the task\'s RocksDB SST files'],
  ['memtableSize', 'rocksdb.cur-size-all-mem-tables', 'By', 'Size of the task\'s RocksDB memtables'],
  ['blockCacheUsage', 'rocksdb.block-cache-usage', 'By', 'Bytes held in the task\'s RocksDB block cache'],
  ['pendingCompaction', 'rocksdb.estimate-pending-compaction-bytes', 'By', 'Bytes RocksDB estimates compaction still has to rewrite'],
  ['backgroundErrors', 'rocksdb.background-errors', '{error}', 'Background errors (flush, compaction) since the task\'s RocksDB opened'],
];

/**
 * Observable gauges of one task's RocksDB instance, read at each collection
 * (properties are in-memory reads; the per-store size is one approximate-size
 * call per store). The task's stores close it before the database closes, so
 * a collection never touches a closed instance.
 */
export class RocksDbInstruments {
  private readonly observables: Observable[] = [];
  private readonly callback: (result: BatchObservableResult) => Promise<void>;
  private closed = false;

  constructor(
    private readonly db: TaskDatabase,
    task: string,
    storeNames: readonly string[],
    private readonly meterProvider?: MeterProvider,
  ) {
    const meter = (meterProvider ?? metrics).getMeter('tributary');
    const base: Attributes = { [storeAttributeNames.task]: task };
    const gauges = properties.map(([key, property, unit, description]) =>
      [meter.createObservableGauge(rocksdbInstrumentNames[key], { unit, description }), property] as const);
    const disk = meter.createObservableGauge(rocksdbInstrumentNames.storeDiskSize, { unit: 'By', description: 'Approximate size of a store\'s data in SST files' });
    const ranges = storeNames.map((name) => {
      const gte = dataPrefix(name);
      return { name, gte, lt: prefixEnd(gte)! };
    });
    this.callback = async (result) => {
      if (this.closed) return;
      for (const [gauge, property] of gauges) {
        const value = Number(db.property(property));
        if (Number.isFinite(value)) result.observe(gauge, value, base);
      }
      for (const r of ranges) {
        const size = await db.approximateSize(r.gte, r.lt).catch(() => undefined);
        if (size !== undefined) result.observe(disk, size, { ...base, [storeAttributeNames.store]: r.name });
      }
    };
    this.observables.push(...gauges.map(([g]) => g), disk);
    meter.addBatchObservableCallback(this.callback, this.observables);
  }

  /** Stop observing (before the database closes). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    (this.meterProvider ?? metrics).getMeter('tributary').removeBatchObservableCallback(this.callback, this.observables);
  }
}
