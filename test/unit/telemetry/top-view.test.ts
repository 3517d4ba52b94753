import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { metrics } from '@opentelemetry/api';
import { startTelemetry, type Telemetry } from '../../../runtime/telemetry/start-telemetry';
import { scrapePrometheus } from '../../../runtime/telemetry/prometheus-scrape';
import { renderTop, summarizeTop } from '../../../runtime/telemetry/top-view';
import { parsePrometheusText } from '../../../runtime/telemetry/prometheus-text';

const bin = path.join(__dirname, '..', '..', '..', '..', 'bin', 'tributary.js');

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('tributary top', () => {
  let telemetry: Telemetry;
  before(async () => {
    telemetry = await startTelemetry({ serviceName: 'top-unit', prometheus: { port: 0 }, otlp: false });
  });
  after(async () => telemetry.shutdown());

  it('summarizes two scrapes of a live endpoint into rates, lag, latency quantiles, batch size and task states', async () => {
    const m = telemetry.metrics;
    m.recordsConsumed('clicks', 0, 100);
    const first = await scrapePrometheus(`${telemetry.url}/metrics`);
    m.recordsConsumed('clicks', 0, 50);
    m.recordsConsumed('clicks', 1, 50);
    m.recordsSent('recs', 80, undefined, { role: 'sink' });
    m.recordsSent('app-counts-changelog', 300, undefined, { role: 'internal' });
    m.recordsSent('app-dlq', 1, undefined, { role: 'dlq' });
    m.setConsumerLag('clicks', 0, 10);
    m.setConsumerLag('clicks', 1, 300);
    const now = Date.now();
    for (let i = 0; i < 98; i++) m.e2eLatency('recs', now - 40, now); // 0.04 s
    m.e2eLatency('recs', now - 3000, now);
    m.e2eLatency('recs', now - 3000, now);
    m.scoringBatch({ model: 'ranker', rows: 100, queueWaitSeconds: 0, inferenceSeconds: 0.001, provider: 'cpu' });
    m.scoringBatch({ model: 'ranker', rows: 50, queueWaitSeconds: 0, inferenceSeconds: 0.001, provider: 'cpu' });
    m.dlqRecords('clicks', 'RecordError');
    // The scoring pool's provider gauge, as it registers it.
    metrics.getMeter('tributary.scoring').createObservableGauge('tributary.scoring.provider').addCallback((r) => r.observe(1, { model: 'ranker', backend: 'local', provider: 'cpu' }));
    telemetry.readiness.setTaskState('0_1', 'running');
    telemetry.readiness.setTaskState('0_0', 'restoring');
    const second = await scrapePrometheus(`${telemetry.url}/metrics`);

    const s = summarizeTop(second, first, 2);
    assert.equal(s.inPerSecond, 50);
    assert.equal(s.outPerSecond, 40, 'out counts the sinks only');
    assert.equal(s.internalPerSecond, 150);
    assert.equal(s.internalTotal, 300, 'changelog records are internal, not output');
    assert.equal(s.consumedTotal, 200);
    assert.equal(s.e2eCapSeconds, undefined, 'no percentile beyond the top bucket');
    assert.equal(s.lag, 310);
    assert.deepEqual(s.worstLag, { partition: 'clicks/1', lag: 300 });
    assert.ok(s.e2eP50! > 0.025 && s.e2eP50! <= 0.05, `p50 ${s.e2eP50}`);
    assert.ok(s.e2eP99! > 2 && s.e2eP99! <= 5, `p99 ${s.e2eP99}`);
    assert.equal(s.scoringBatchMean, 75);
    assert.deepEqual(s.scoringProviders, ['ranker:cpu']);
    assert.equal(s.dlqTotal, 1);
    assert.deepEqual(s.tasks, [{ id: '0_0', state: 'restoring' }, { id: '0_1', state: 'running' }]);

    const lines = renderTop(s, 'http://x/metrics', new Date('2026-01-01T10:20:30Z'));
    assert.deepEqual(lines, [
      'tributary top  http://x/metrics  10:20:30 UTC',
      'throughput   in 50 rec/s   out 40 rec/s   (total in 200, out 80)',
      'internal     150 rec/s   (total 300: repartition and changelog records)',
      'lag          310 records   worst clicks/1 300',
      `e2e latency  p50 ${Math.round(s.e2eP50! * 1000)} ms   p99 ${s.e2eP99!.toFixed(2)} s`,
      'scoring      batch 75.0 rows   providers ranker:cpu',
      'errors       dlq 1   late 0',
      'tasks        restoring 1 (0_0), running 1 (0_1)',
    ]);
  });

  it('says a percentile beyond the top bucket is a floor, not a figure', () => {
    const scrape = parsePrometheusText([
      '# TYPE tributary_e2e_latency histogram',
      'tributary_e2e_latency_bucket{le="300"} 1',
      'tributary_e2e_latency_bucket{le="1800"} 1',
      'tributary_e2e_latency_bucket{le="+Inf"} 10',
      'tributary_e2e_latency_count 10',
      'tributary_e2e_latency_sum 30000',
      '',
    ].join('\n'));
    const s = summarizeTop(scrape);
    assert.equal(s.e2eP99, 1800);
    assert.equal(s.e2eCapSeconds, 1800);
    assert.match(renderTop(s, 'u').join('\n'), /e2e latency {2}p50 >1800\.00 s {3}p99 >1800\.00 s/);
    assert.equal(s.sentTotal, 0);
  });

  it('counts sent records without a role label as sink output (a process from before the label)', () => {
    const scrape = parsePrometheusText('# TYPE messaging_client_sent_messages_total counter\nmessaging_client_sent_messages_total{messaging_destination_name="recs"} 7\n');
    const s = summarizeTop(scrape);
    assert.equal(s.sentTotal, 7);
    assert.equal(s.internalTotal, 0);
  });

  it('prints plain lines with --once when stdout is not a terminal', async () => {
    telemetry.metrics.recordsConsumed('clicks', 2, 1);
    const { code, stdout, stderr } = await runCli(['top', '--once', '--interval', '0.2', '--url', telemetry.url!]);
    assert.equal(stderr, '');
    assert.equal(code, 0);
    assert.doesNotMatch(stdout, /\x1b\[/, 'no terminal escapes in a pipe');
    assert.match(stdout, /^tributary top {2}http:\/\/127\.0\.0\.1:\d+\/metrics {2}\d\d:\d\d:\d\d UTC$/m);
    assert.match(stdout, /^throughput {3}in \d+ rec\/s {3}out \d+ rec\/s {3}\(total in 201, out 80\)$/m);
    assert.match(stdout, /^tasks {8}restoring 1 \(0_0\), running 1 \(0_1\)$/m);
  });

  it('fails in one line when the endpoint is unreachable or the URL is bad', async () => {
    const down = await runCli(['top', '--once', '--url', 'http://127.0.0.1:1']);
    assert.equal(down.code, 3, 'an endpoint that does not answer is failed work');
    assert.match(down.stderr, /^tributary top: cannot reach http:\/\/127\.0\.0\.1:1\/metrics: .+\n$/);
    const bad = await runCli(['top', '--once', '--url', 'not a url']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /is not a URL/);
  });
});
