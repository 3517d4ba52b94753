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
        inPerSecond: 1234.4, outPerSecond: 99, consumedTotal: 0, sentTotal: 0, internalTotal: 4000, internalPerSecond: 400, lag: 12000, e2eP50: 0.012, e2eP99: 1.5,
        scoringBatchMean: 96.4, scoringProviders: [], dlqTotal: 2, lateTotal: 0,
        tasks: [{ id: '0_0', state: 'running' }, { id: '0_1', state: 'running' }, { id: '0_2', state: 'restoring' }],
      }),
      'in 0 (1,234/s) out 0 (99/s) internal 4,000 (400/s) | lag 12,000 | e2e p50 12ms p99 1.5s | scoring batch 96 | dlq 2 | tasks 2 running, 1 restoring (0_2)',
    );
    assert.equal(
      formatStatusLine({ consumedTotal: 1234567, sentTotal: 12, internalTotal: 0, lag: 0, scoringProviders: [], dlqTotal: 0, lateTotal: 0, tasks: [] }),
      'in 1,234,567 (-/s) out 12 (-/s) internal 0 (-/s) | lag 0 | e2e p50 - p99 - | scoring batch - | dlq 0 | no tasks',
    );
    assert.match(
      formatStatusLine({ consumedTotal: 1, sentTotal: 1, internalTotal: 0, lag: 0, e2eP50: 1800, e2eP99: 1800, e2eCapSeconds: 1800, scoringProviders: [], dlqTotal: 0, lateTotal: 0, tasks: [] }),
      /\| e2e p50 >1800\.0s p99 >1800\.0s \|/,
      'a percentile beyond the top bucket is shown as a floor',
    );
  });

  it('writes plain lines from the live endpoint when the output is not a terminal', async () => {
    const out = new PassThrough() as unknown as NodeJS.WriteStream;
    let text = '';
    (out as unknown as PassThrough).on('data', (d) => (text += d));
    telemetry.metrics.setConsumerLag('clicks', 0, 77);
    telemetry.metrics.dlqRecords('clicks', 'RecordError', 4);
    telemetry.readiness.setTaskState('0_0', 'running');
    telemetry.metrics.recordsConsumed('clicks', 0, 5);
    const line = startStatusLine({ metricsUrl: `${telemetry.url}/metrics`, out, plainIntervalMs: 100, plainPrefix: () => 'STATUS ' });
    try {
      for (let i = 0; i < 50 && text.split('\n').length < 3; i++) await sleep(100);
    } finally {
      line.stop();
    }
    const lines = text.trim().split('\n');
    assert.ok(lines.length >= 2, `got ${JSON.stringify(text)}`);
    assert.doesNotMatch(text, /\x1b/);
    // A baseline scrape at start gives even the first line rates; each shows totals, live lag, DLQ count and tasks.
    for (const l of lines.slice(0, 2)) {
      assert.match(l, /^STATUS in 5 \(0\/s\) out 0 \(0\/s\) internal 0 \(0\/s\) \| lag 77 \| e2e p50 - p99 - \| scoring batch - \| dlq 4 \| tasks 1 running$/);
    }
  });

  it('keeps one line at the bottom of a terminal, moving it below log lines written meanwhile', async () => {
    const stream = new PassThrough();
    const out = stream as unknown as NodeJS.WriteStream;
    Object.assign(out, { isTTY: true, columns: 300 });
    const ownWrite = out.write;
    let text = '';
    stream.on('data', (d) => (text += d));
    const CLEAR = '\r\x1b[2K';
    const line = startStatusLine({ metricsUrl: `${telemetry.url}/metrics`, out, intervalMs: 100 });
    try {
      for (let i = 0; i < 50 && !text.includes(`${CLEAR}in `); i++) await sleep(100);
      assert.ok(text.includes(`${CLEAR}in `), `status drawn: ${JSON.stringify(text)}`);
      assert.doesNotMatch(text, /\n/, 'in place: no newline of its own');
      out.write('INFO something happened\n');
      out.write(Buffer.from('partial'));
      await sleep(350); // ticks come and go: none may draw on the half-written line
      out.write(' end\n');
    } finally {
      line.stop();
    }
    assert.equal(out.write, ownWrite, 'stop() gives the stream its own write back');
    // The log line replaced the status line (cleared first), then it came back below.
    assert.match(text, /\r\x1b\[2KINFO something happened\n\r\x1b\[2Kin \d+ \(/);
    assert.ok(text.includes('partial end\n'), `a half-written line stays whole: ${JSON.stringify(text)}`);
    assert.ok(text.endsWith(CLEAR), 'stop() clears the line');
  });
});
