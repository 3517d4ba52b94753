import { strict as assert } from 'node:assert';
import { AggregationTemporality, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { TaskStores } from '../../../runtime/state/task-stores';
import { rocksdbInstrumentNames } from '../../../runtime/state/internal/rocksdb-instruments';
import { storeInstrumentNames } from '../../../runtime/state/internal/store-instruments';
import { rocksdbMetricNames, storeMetricNames } from '../../../runtime/telemetry/metric-names';
import { tempStateDir } from './temp-state-dir';

// Delta: a collection holds only what was observed in it, so a gauge no longer observed is absent.
class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.DELTA });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const rocksdbNames = new Set<string>([...Object.values(rocksdbMetricNames), storeMetricNames.diskSize]);

/** `name{store}` → value of every RocksDB gauge point, checking each carries the task id. */
function gauges(metrics: ResourceMetrics): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of metrics.scopeMetrics.flatMap((s) => s.metrics)) {
    if (!rocksdbNames.has(m.descriptor.name)) continue;
    for (const p of m.dataPoints) {
      if (typeof p.value !== 'number') continue;
      assert.equal(p.attributes['tributary.task.id'], '0_1', m.descriptor.name);
      const store = p.attributes['tributary.store.name'];
      out.set(store === undefined ? m.descriptor.name : `${m.descriptor.name}{${String(store)}}`, p.value);
    }
  }
  return out;
}

describe('RocksDB metrics of a task\'s stores', () => {
  it('uses the names metric-names.ts lists (the dashboard and docs/metrics.md read that table; the store counters keep literals)', () => {
    assert.equal(rocksdbInstrumentNames.storeDiskSize, storeMetricNames.diskSize);
    for (const key of ['reads', 'writes', 'cacheHits', 'cacheMisses'] as const) assert.equal(storeInstrumentNames[key], storeMetricNames[key]);
  });

  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempStateDir()));
  afterEach(async () => cleanup());

  it('reads RocksDB properties and each store\'s size at collection, and stops when the stores close', async () => {
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    const stores = await TaskStores.open({
      stateDir: dir, appId: 'app', taskId: '0_1', metrics: true, meterProvider: provider,
      stores: [{ name: 'big', changelog: false }, { name: 'empty', changelog: false }],
    });
    const big = stores.keyValueStore<string, string>('big');
    for (let i = 0; i < 500; i++) big.put(`k${i}`, 'v'.repeat(100));
    await stores.flush();
    await stores.commitApplied([]);

    const open = gauges((await reader.collect()).resourceMetrics);
    assert.equal(open.get(rocksdbMetricNames.keys), 500, 'estimate-num-keys of the memtable is exact');
    assert.ok(open.get(rocksdbMetricNames.memtableSize)! > 500 * 100, `memtable ${open.get(rocksdbMetricNames.memtableSize)}`);
    assert.equal(open.get(rocksdbMetricNames.backgroundErrors), 0);
    for (const name of [rocksdbMetricNames.sstSize, rocksdbMetricNames.blockCacheUsage, rocksdbMetricNames.pendingCompaction]) {
      assert.ok(open.has(name), `${name} observed`);
    }
    // Nothing is in SST files yet (no flush of the memtable): approximate sizes are of files only.
    assert.equal(open.get(`${storeMetricNames.diskSize}{big}`), 0);
    assert.equal(open.get(`${storeMetricNames.diskSize}{empty}`), 0);

    await stores.close();
    const after = await reader.collect();
    assert.deepEqual(after.errors, [], 'no collection touches the closed RocksDB');
    const closed = gauges(after.resourceMetrics);
    assert.equal(closed.size, 0, `no gauge read after close: ${[...closed.keys()].join(', ')}`);
    await provider.shutdown();
  });
});
