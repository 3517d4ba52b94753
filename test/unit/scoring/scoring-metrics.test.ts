import * as assert from 'node:assert/strict';
import { MeterProvider, MetricReader, type GaugeMetricData, type HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { ScoringPool } from '../../../runtime/scoring/scoring-pool';
import { defaultRankingModelDir } from '../../../examples/home-feed/model/generate-ranking-model';
import { randomRankingRequest } from '../../../examples/home-feed/model/random-ranking-request';

class ManualReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

describe('scoring pool metrics', function () {
  this.timeout(60_000);

  it('exports the execution provider in use and the rows of each batch', async () => {
    const reader = new ManualReader();
    const provider = new MeterProvider({ readers: [reader] });
    const pool = await ScoringPool.start({
      models: [defaultRankingModelDir], local: { workers: 1, providers: ['cpu'], log: () => {} },
      batching: { maxBatchRows: 64, maxDelayMs: 1 }, meter: provider.getMeter('tributary.scoring'),
    });
    try {
      await Promise.all([pool.score({ model: 'home-feed-ranker', inputs: randomRankingRequest(1, 20) }), pool.score({ model: 'home-feed-ranker', inputs: randomRankingRequest(2, 30) })]);
      const { resourceMetrics } = await reader.collect();
      const all = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
      const gauge = all.find((m) => m.descriptor.name === 'tributary.scoring.provider') as GaugeMetricData;
      assert.deepEqual(gauge.dataPoints.map((p) => p.attributes), [{ model: 'home-feed-ranker', backend: 'local', provider: 'cpu' }]);
      const rows = all.find((m) => m.descriptor.name === 'tributary.scoring.batch.rows') as HistogramMetricData;
      assert.equal(rows.dataPoints[0].value.sum, 50);
      assert.ok((rows.dataPoints[0].value.max ?? 0) <= 64);
    } finally {
      await pool.close();
      await provider.shutdown();
    }
  });
});
