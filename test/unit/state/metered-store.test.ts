import { strict as assert } from 'node:assert';
import { AggregationTemporality, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ChangelogReader } from '../../../runtime/state/changelog-reader';
import { TaskStores } from '../../../runtime/state/task-stores';
import { collect, tempStateDir } from './temp-state-dir';

class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

function sums(metrics: ResourceMetrics): Record<string, number> {
  const out: Record<string, number> = {};
  for (const scope of metrics.scopeMetrics) {
    for (const m of scope.metrics) {
      // The RocksDB gauges have a test of their own (rocksdb-instruments.test.ts).
      if (m.descriptor.name.startsWith('tributary.rocksdb.') || m.descriptor.name === 'tributary.store.disk.size') continue;
      for (const p of m.dataPoints) {
        const attrs = p.attributes as Record<string, string>;
        assert.equal(attrs['tributary.task.id'], '0_0');
        const key = `${m.descriptor.name}{${attrs['tributary.store.name']}}`;
        out[key] = (out[key] ?? 0) + (typeof p.value === 'number' ? p.value : (p.value as { count: number }).count);
      }
    }
  }
  return out;
}

describe('MeteredKeyValueStore layer', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempStateDir()));
  afterEach(async () => cleanup());

  it('types keys and values through the serdes (structured keys by default)', async () => {
    const stores = await TaskStores.open({ stateDir: dir, appId: 'app', taskId: '0_0', stores: [{ name: 'kv', changelog: false }] });
    const kv = stores.keyValueStore<[string, number], { n: number }>('kv');
    kv.put(['u1', 10], { n: 10 });
    kv.put(['u1', 9], { n: 9 });
    kv.put(['u2', 1], { n: 1 });
    kv.put(['u1', -3], { n: -3 });
    await stores.flush();
    assert.deepEqual((await collect(kv.prefixScan(['u1'] as unknown as [string, number]))).map(([k]) => k), [['u1', -3], ['u1', 9], ['u1', 10]]);
    assert.deepEqual((await collect(kv.range(['u1', 0], ['u1', 10]))).map(([, v]) => v.n), [9]);
    kv.delete(['u1', 9]);
    assert.equal(await kv.get(['u1', 9]), undefined);
    await stores.close();
  });

  it('counts reads, writes, cache hits and misses per store and task when metrics are on', async () => {
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    const stores = await TaskStores.open({
      stateDir: dir, appId: 'app', taskId: '0_0', metrics: true, meterProvider: provider,
      stores: [{ name: 'kv', changelog: true }],
    });
    const kv = stores.keyValueStore<string, number>('kv');
    kv.put('a', 1);
    kv.put('a', 2);
    await kv.get('a');
    await kv.getMany(['a', 'b', 'c']);
    const { resourceMetrics } = await reader.collect();
    assert.deepEqual(sums(resourceMetrics), {
      'tributary.store.writes{kv}': 2,
      'tributary.store.reads{kv}': 4,
      'tributary.store.cache.hits{kv}': 2,
      'tributary.store.cache.misses{kv}': 2,
    });
    await stores.close();
    await provider.shutdown();
  });

  it('counts restored records and reports the offsets still to restore', async () => {
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    const stores = await TaskStores.open({
      stateDir: dir, appId: 'app', taskId: '0_0', metrics: true, meterProvider: provider,
      stores: [{ name: 'kv', changelog: true }],
    });
    const seen: number[] = [];
    const changelog: ChangelogReader = {
      async read(requests, onBatch) {
        for (let i = 0; i < 10; i += 5) {
          const records = [0, 1, 2, 3, 4].map((j) => ({ key: Buffer.from(`k${i + j}`), value: Buffer.from('1'), offset: String(i + j) }));
          await onBatch({ topic: requests[0].topic, partition: 0, records, endOffset: '10' });
          const { resourceMetrics } = await reader.collect();
          seen.push(sums(resourceMetrics)['tributary.restore.remaining{kv}']);
        }
        return [{ topic: requests[0].topic, partition: 0, offset: '10' }];
      },
    };
    await stores.restore(changelog);
    const after = sums((await reader.collect()).resourceMetrics);
    assert.deepEqual(seen, [5, 0]);
    assert.equal(after['tributary.restore.records{kv}'], 10);
    assert.equal(after['tributary.restore.remaining{kv}'], 0);
    assert.equal(after['tributary.restore.duration{kv}'], 1, 'one duration sample');
    await stores.close();
    await provider.shutdown();
  });

  it('records nothing when metrics are off', async () => {
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    const stores = await TaskStores.open({ stateDir: dir, appId: 'app', taskId: '0_0', meterProvider: provider, stores: [{ name: 'kv', changelog: true }] });
    stores.keyValueStore('kv').put('a', 1);
    await stores.keyValueStore('kv').get('a');
    const { resourceMetrics } = await reader.collect();
    assert.deepEqual(sums(resourceMetrics), {});
    await stores.close();
    await provider.shutdown();
  });
});
