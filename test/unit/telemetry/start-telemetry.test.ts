import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { metrics } from '@opentelemetry/api';
import { ConfigError } from '../../../core/errors';
import { startTelemetry, type Telemetry } from '../../../runtime/telemetry/start-telemetry';
import { scrapePrometheus } from '../../../runtime/telemetry/prometheus-scrape';
import { sumSamples } from '../../../runtime/telemetry/prometheus-text';
import { waitForMetrics } from '../../integration/telemetry/scrape-helpers';
import { metricNames as M, prometheusName, runtimeMetricNames } from '../../../runtime/telemetry/metric-names';

describe('startTelemetry', () => {
  let telemetry: Telemetry | undefined;
  afterEach(async () => {
    await telemetry?.shutdown();
    telemetry = undefined;
  });

  it('serves the instruments on /metrics of the real HTTP endpoint, bound to 127.0.0.1', async () => {
    telemetry = await startTelemetry({ serviceName: 'unit', prometheus: { port: 0 }, consumerGroup: 'app-1', otlp: false });
    assert.match(telemetry.url!, /^http:\/\/127\.0\.0\.1:\d+$/);
    const m = telemetry.metrics;
    m.recordsConsumed('clicks', 0, 40);
    m.recordsConsumed('clicks', 1, 2);
    m.recordsSent('recs', 30);
    m.stepRecords('enrich', 'in', 42);
    m.stepRecords('enrich', 'out', 30);
    m.stepDuration('enrich', 0.003);
    m.setConsumerLag('clicks', 0, 17);
    m.setConsumerLag('clicks', 1, 5);
    m.forgetPartition('clicks', 1);
    m.commit(0.02, 31);
    m.rebalance('assigned', 2);
    m.setRestoreRemaining('user-features', 0, 20);
    m.dlqRecords('clicks', 'RecordError', 3);
    m.lateRecords('window-1', 2);
    m.scoringBatch({ model: 'ranker', rows: 128, queueWaitSeconds: 0.004, inferenceSeconds: 0.002, provider: 'cpu' });
    m.e2eLatency('recs', Date.now() - 250);
    m.e2eLatency('recs', Date.now() + 60_000); // future event time: ignored
    // Another engineer's instrument on the global meter is exported too.
    metrics.getMeter('tributary').createCounter('tributary.store.reads').add(9, { 'tributary.store.name': 'user-features' });
    metrics.getMeter('tributary').createHistogram('tributary.restore.duration', { unit: 's' }).record(42, { 'tributary.store.name': 'user-features' });

    const s = await scrapePrometheus(`${telemetry.url}/metrics`);
    assert.equal(sumSamples(s, prometheusName(M.consumed, 'counter'), { messaging_destination_name: 'clicks', messaging_consumer_group_name: 'app-1' }), 42);
    assert.equal(sumSamples(s, prometheusName(M.consumed, 'counter'), { messaging_destination_partition_id: '1' }), 2);
    assert.equal(sumSamples(s, prometheusName(M.sent, 'counter'), { messaging_destination_name: 'recs' }), 30);
    assert.equal(sumSamples(s, prometheusName(M.stepRecords, 'counter'), { tributary_step_id: 'enrich', tributary_direction: 'out' }), 30);
    assert.equal(sumSamples(s, 'tributary_step_duration_count', { tributary_step_id: 'enrich' }), 1);
    assert.equal(sumSamples(s, prometheusName(M.consumerLag, 'gauge')), 17, 'a forgotten partition is no longer reported');
    assert.equal(sumSamples(s, 'tributary_commit_records_sum'), 31);
    assert.equal(sumSamples(s, 'tributary_commit_duration_count'), 1);
    assert.equal(sumSamples(s, prometheusName(M.rebalances, 'counter'), { tributary_rebalance_kind: 'assigned' }), 2);
    assert.equal(sumSamples(s, prometheusName(M.restoreRemaining, 'gauge'), { tributary_store_name: 'user-features' }), 20);
    assert.equal(sumSamples(s, prometheusName(M.dlqRecords, 'counter'), { error_type: 'RecordError' }), 3);
    assert.equal(sumSamples(s, prometheusName(M.lateRecords, 'counter')), 2);
    assert.equal(sumSamples(s, 'tributary_scoring_batch_size_sum'), 128);
    assert.equal(sumSamples(s, 'tributary_scoring_queue_wait_count'), 1);
    assert.equal(sumSamples(s, 'tributary_scoring_inference_duration_count'), 1);
    assert.equal(s.types.get('tributary_scoring_provider'), undefined, 'the pool owns the provider gauge');
    assert.equal(sumSamples(s, 'tributary_e2e_latency_count'), 1);
    const e2eSum = sumSamples(s, 'tributary_e2e_latency_sum');
    assert.ok(e2eSum >= 0.25 && e2eSum < 5, `e2e latency ${e2eSum}s`);
    // 0.25 s lands in the (0.1, 0.25] or (0.25, 0.5] bucket, not the SDK's millisecond default buckets.
    assert.equal(sumSamples(s, 'tributary_e2e_latency_bucket', { le: '0.1' }), 0);
    assert.equal(sumSamples(s, 'tributary_e2e_latency_bucket', { le: '0.5' }), 1);
    assert.equal(sumSamples(s, 'tributary_store_reads_total', { tributary_store_name: 'user-features' }), 9);
    // The restore histogram made without bucket advice still gets seconds-scale buckets (a view).
    assert.equal(sumSamples(s, 'tributary_restore_duration_bucket', { le: '30' }), 0);
    assert.equal(sumSamples(s, 'tributary_restore_duration_bucket', { le: '60' }), 1);
    assert.equal(sumSamples(s, 'target_info', { service_name: 'unit' }), 1);
  });

  it('exports the messaging conventions\' required attributes and operation durations, and the Node.js runtime metrics', async () => {
    telemetry = await startTelemetry({ serviceName: 'unit', prometheus: { port: 0 }, consumerGroup: 'app-1', otlp: false });
    const m = telemetry.metrics;
    m.recordsConsumed('clicks', 0, 4);
    m.recordsSent('recs', 2, undefined, { role: 'sink' });
    m.processDuration('clicks', 0, 0.003);
    m.processDuration('clicks', 0, 0.004, 'RecordError');
    m.operationDuration('send', 0.002, { topic: 'recs' });
    m.operationDuration('commit', 0.001, { topic: 'clicks' });
    const s = await scrapePrometheus(`${telemetry.url}/metrics`);
    const consumed = prometheusName(M.consumed, 'counter');
    assert.equal(sumSamples(s, consumed, { messaging_system: 'kafka', messaging_operation_name: 'poll', messaging_operation_type: 'receive' }), 4);
    assert.equal(sumSamples(s, prometheusName(M.sent, 'counter'), { messaging_operation_name: 'send', tributary_topic_role: 'sink' }), 2);
    const processCount = `${prometheusName(M.processDuration, 'histogram')}_count`;
    assert.equal(sumSamples(s, processCount, { messaging_operation_name: 'process', messaging_destination_name: 'clicks', messaging_consumer_group_name: 'app-1' }), 2);
    assert.equal(sumSamples(s, processCount, { error_type: 'RecordError' }), 1);
    const operationCount = `${prometheusName(M.operationDuration, 'histogram')}_count`;
    assert.equal(sumSamples(s, operationCount, { messaging_operation_name: 'send', messaging_operation_type: 'send' }), 1);
    assert.equal(sumSamples(s, operationCount, { messaging_operation_name: 'commit', messaging_operation_type: 'settle' }), 1);
    // Seconds-scale buckets: 3 and 4 ms fall between the 2.5 ms and 5 ms bounds.
    const processBucket = `${prometheusName(M.processDuration, 'histogram')}_bucket`;
    assert.equal(sumSamples(s, processBucket, { le: '0.0025' }), 0);
    assert.equal(sumSamples(s, processBucket, { le: '0.005' }), 2);
    // Runtime metrics from @opentelemetry/instrumentation-runtime-node, under the names the dashboard queries.
    // The event-loop delay is reported once its sampler has samples (every 10 ms): wait for that, bounded.
    const gauges = Object.entries(runtimeMetricNames).filter(([key]) => key !== 'gcDuration').map(([, name]) => prometheusName(name, 'gauge'));
    const runtime = await waitForMetrics(`${telemetry.url}/metrics`, (x) => {
      const missing = gauges.filter((name) => !x.samples.some((sample) => sample.name === name));
      return missing.length === 0 ? true : `missing ${missing.join(', ')}`;
    }, { timeoutMs: 10_000, pollMs: 50 });
    const utilisation = sumSamples(runtime, prometheusName(runtimeMetricNames.eventLoopUtilization, 'gauge'));
    assert.ok(utilisation >= 0 && utilisation <= 1, `event-loop utilisation ${utilisation}`);
    assert.ok(sumSamples(runtime, prometheusName(runtimeMetricNames.heapUsed, 'gauge')) > 0, 'heap used');
  });

  it('leaves the runtime metrics out when asked', async () => {
    telemetry = await startTelemetry({ serviceName: 'unit', prometheus: { port: 0 }, otlp: false, runtimeMetrics: false });
    const s = await scrapePrometheus(`${telemetry.url}/metrics`);
    assert.ok(!s.samples.some((x) => x.name.startsWith('nodejs_') || x.name.startsWith('v8js_')));
  });

  it('answers /healthz always and /readyz once joined with every task running', async () => {
    telemetry = await startTelemetry({ serviceName: 'unit', prometheus: { port: 0 }, otlp: false });
    const get = async (path: string) => {
      const r = await fetch(`${telemetry!.url}${path}`);
      return { status: r.status, body: await r.text() };
    };
    assert.deepEqual(await get('/healthz'), { status: 200, body: 'ok\n' });
    let ready = await get('/readyz');
    assert.equal(ready.status, 503);
    assert.match(JSON.parse(ready.body).reason, /consumer group/);

    telemetry.readiness.setReady(true);
    telemetry.readiness.setTaskState('0_0', 'restoring');
    telemetry.readiness.setTaskState('0_1', 'running');
    ready = await get('/readyz');
    assert.equal(ready.status, 503);
    assert.deepEqual(JSON.parse(ready.body), { ready: false, reason: 'tasks not running: 0_0 restoring', tasks: { '0_0': 'restoring', '0_1': 'running' } });
    const s = await scrapePrometheus(`${telemetry.url}/metrics`);
    assert.equal(sumSamples(s, 'tributary_task_state', { tributary_task_id: '0_0', tributary_task_state: 'restoring' }), 1);

    telemetry.readiness.setTaskState('0_0', 'running');
    ready = await get('/readyz');
    assert.equal(ready.status, 200);
    assert.equal(JSON.parse(ready.body).ready, true);
    assert.equal((await get('/nope')).status, 404);
    assert.equal((await fetch(`${telemetry.url}/metrics`, { method: 'POST' })).status, 405);
  });

  it('fails with a ConfigError naming the address when the port is taken, registering nothing', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await assert.rejects(startTelemetry({ serviceName: 'unit', prometheus: { port }, otlp: false }), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.retriable, false);
        assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port} is already in use`));
        return true;
      });
      // Nothing global was left behind: a start on a free port works.
      telemetry = await startTelemetry({ serviceName: 'unit', prometheus: { port: 0 }, otlp: false });
    } finally {
      blocker.close();
    }
  });

  it('refuses a second start, a bad sampling ratio and an unsupported OTLP protocol', async () => {
    telemetry = await startTelemetry({ serviceName: 'unit', prometheus: false, otlp: false });
    assert.equal(telemetry.url, undefined);
    await assert.rejects(startTelemetry({ serviceName: 'again', prometheus: false }), /already started/);
    await telemetry.shutdown();
    telemetry = undefined;
    await assert.rejects(startTelemetry({ serviceName: 'unit', prometheus: false, sampling: { ratio: 1.5 } }), /between 0 and 1, got 1.5/);
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'grpc';
    try {
      await assert.rejects(startTelemetry({ serviceName: 'unit', prometheus: false, otlp: true }), /OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported/);
    } finally {
      delete process.env.OTEL_EXPORTER_OTLP_PROTOCOL;
    }
  });
});
