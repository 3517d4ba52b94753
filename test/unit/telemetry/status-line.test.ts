import * as assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTelemetry, type Telemetry } from '../../../runtime/telemetry/start-telemetry';
import { formatStatusLine, startStatusLine } from '../../../runtime/telemetry/status-line';

describe('status line of tributary run', () => {
  let telemetry: Telemetry;
  before(async () => {
    telemetry = await startTelemetry({ serviceName: 'status-unit', prometheus: { port: 0 }, otlp: false });
  });
  after(async () => telemetry.shutdown());

  it('formats a snapshot on one line', () => {
    assert.equal(
      formatStatusLine({
        inPerSecond: 1234.4, outPerSecond: 99, consumedTotal: 0, sentTotal: 0, lag: 12000, e2eP50: 0.012, e2eP99: 1.5,
        scoringBatchMean: 96.4, scoringProviders: [], dlqTotal: 2, lateTotal: 0,
        tasks: [{ id: '0_0', state: 'running' }, { id: '0_1', state: 'running' }, { id: '0_2', state: 'restoring' }],
      }),
      'in 1,234/s out 99/s | lag 12,000 | e2e p50 12ms p99 1.5s | batch 96 | dlq 2 | 2 running 1 restoring',
    );
  });

  it('writes plain lines from the live endpoint when the output is not a terminal', async () => {
    const out = new PassThrough() as unknown as NodeJS.WriteStream;
    let text = '';
    (out as unknown as PassThrough).on('data', (d) => (text += d));
    telemetry.metrics.setConsumerLag('clicks', 0, 77);
    telemetry.metrics.dlqRecords('clicks', 'RecordError', 4);
    telemetry.readiness.setTaskState('0_0', 'running');
    const line = startStatusLine({ metricsUrl: `${telemetry.url}/metrics`, out, plainIntervalMs: 100 });
    try {
      for (let i = 0; i < 50 && text.split('\n').length < 3; i++) await sleep(100);
    } finally {
      line.stop();
    }
    const lines = text.trim().split('\n');
    assert.ok(lines.length >= 2, `got ${JSON.stringify(text)}`);
    assert.doesNotMatch(text, /\x1b/);
    // The second line has rates (two scrapes); both show the live lag, DLQ count and tasks.
    assert.match(lines[1], /^in 0\/s out 0\/s \| lag 77 \| e2e p50 - p99 - \| batch - \| dlq 4 \| 1 running$/);
  });
});
