import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Consumer, Producer } from 'kafkajs';
import { createTopics, randomTopic, requireKafka, testKafka, IDEMPOTENT } from '../../helpers/services';
import { batchSpan } from '../../../runtime/telemetry/batch-span';
import { metricNames as M, prometheusName } from '../../../runtime/telemetry/metric-names';
import { sumSamples } from '../../../runtime/telemetry/prometheus-text';
import { startTelemetry, type Telemetry } from '../../../runtime/telemetry/start-telemetry';
import { injectTraceContext, spanContextFromHeaders } from '../../../runtime/telemetry/trace-context';
import { allOf, metricEquals, waitForMetrics } from './scrape-helpers';

const bin = path.join(__dirname, '..', '..', '..', '..', 'bin', 'tributary.js');
const RECORDS = 300;
const PARTITIONS = 3;

/**
 * A real consume → process → produce loop over the local broker, instrumented
 * the way `tributary run` uses the telemetry module, scraped over HTTP while
 * it runs.
 */
describe('telemetry during a real Kafka run', function () {
  this.timeout(90_000);
  const kafka = testKafka('telemetry-it');
  let telemetry: Telemetry | undefined;
  let consumer: Consumer | undefined;
  let producer: Producer | undefined;

  before(requireKafka);
  after(async () => {
    await consumer?.disconnect().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    await telemetry?.shutdown();
  });

  it('counts every record produced on the Prometheus endpoint, with lag, commits, e2e latency and readiness', async () => {
    const input = randomTopic('tel-in');
    const output = randomTopic('tel-out');
    await createTopics(kafka, [{ topic: input, partitions: PARTITIONS }, { topic: output, partitions: PARTITIONS }]);
    telemetry = await startTelemetry({ serviceName: 'telemetry-it', prometheus: { port: 0 }, consumerGroup: 'telemetry-it', otlp: false });
    const t = telemetry;
    const metricsUrl = `${t.url}/metrics`;

    producer = kafka.producer(IDEMPOTENT);
    await producer.connect();
    // Event times one second in the past make end-to-end latency ≥ 1 s and easy to check.
    const eventTime = Date.now() - 1000;
    await producer.send({
      topic: input,
      messages: Array.from({ length: RECORDS }, (_, i) => ({
        key: `user-${i % 17}`,
        value: JSON.stringify({ i }),
        timestamp: String(eventTime),
      })),
    });

    consumer = kafka.consumer({ groupId: `g-${randomUUID()}` });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const assigned = payload.memberAssignment[input] ?? [];
      t.metrics.rebalance('assigned', assigned.length);
      for (const p of assigned) t.readiness.setTaskState(`0_${p}`, 'running');
      t.readiness.setReady(true);
    });
    await consumer.connect();
    await consumer.subscribe({ topic: input, fromBeginning: true });
    const out = producer;
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
        const span = batchSpan(t.tracer, { taskId: `0_${batch.partition}`, topic: input, partition: batch.partition }, batch.messages);
        t.metrics.recordsConsumed(batch.topic, batch.partition, batch.messages.length);
        const started = process.hrtime.bigint();
        const results = await span.run('step upper', () => batch.messages.map((m) => ({
          key: m.key,
          value: String(m.value).toUpperCase(),
          eventTime: Number(m.timestamp),
        })));
        t.metrics.stepRecords('upper', 'in', batch.messages.length);
        t.metrics.stepRecords('upper', 'out', results.length);
        t.metrics.stepDuration('upper', Number(process.hrtime.bigint() - started) / 1e9);
        await span.run('commit', async () => {
          const commitStart = process.hrtime.bigint();
          const acks = await out.send({
            topic: output,
            messages: results.map((r) => ({ key: r.key, value: r.value, headers: injectTraceContext({}) })),
          });
          const now = Date.now();
          for (const ack of acks) t.metrics.recordsSent(output, 0, ack.partition);
          t.metrics.recordsSent(output, results.length);
          for (const r of results) t.metrics.e2eLatency(output, r.eventTime, now);
          const last = batch.messages[batch.messages.length - 1];
          resolveOffset(last.offset);
          await consumer!.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(BigInt(last.offset) + 1n) }]);
          t.metrics.commit(Number(process.hrtime.bigint() - commitStart) / 1e9, results.length);
        });
        t.metrics.setConsumerLag(batch.topic, batch.partition, Number(batch.offsetLag()));
        span.end();
        await heartbeat();
      },
    });

    const consumed = prometheusName(M.consumed, 'counter');
    const sent = prometheusName(M.sent, 'counter');
    const scrape = await waitForMetrics(metricsUrl, allOf(
      metricEquals(consumed, RECORDS, { messaging_destination_name: input }),
      metricEquals(sent, RECORDS, { messaging_destination_name: output }),
      metricEquals('tributary_e2e_latency_count', RECORDS),
      // Recorded after the offset commit returns, so it is the last figure to settle.
      metricEquals('tributary_commit_records_sum', RECORDS),
    ), { timeoutMs: 60_000 });

    // Per partition, consumed counts add up to what was produced, and each partition got some.
    const perPartition = Array.from({ length: PARTITIONS }, (_, p) => sumSamples(scrape, consumed, { messaging_destination_partition_id: String(p) }));
    assert.equal(perPartition.reduce((a, b) => a + b, 0), RECORDS);
    assert.ok(perPartition.every((n) => n > 0), `records per partition ${perPartition}`);
    assert.equal(sumSamples(scrape, prometheusName(M.stepRecords, 'counter'), { tributary_step_id: 'upper', tributary_direction: 'in' }), RECORDS);
    assert.equal(sumSamples(scrape, prometheusName(M.stepRecords, 'counter'), { tributary_step_id: 'upper', tributary_direction: 'out' }), RECORDS);
    assert.equal(sumSamples(scrape, 'tributary_commit_records_sum'), RECORDS);
    const commits = sumSamples(scrape, 'tributary_commit_duration_count');
    assert.ok(commits >= PARTITIONS && commits <= RECORDS, `commits ${commits}`);
    const commitSeconds = sumSamples(scrape, 'tributary_commit_duration_sum');
    assert.ok(commitSeconds > 0 && commitSeconds < 60, `commit time ${commitSeconds}s`);
    assert.equal(sumSamples(scrape, prometheusName(M.rebalances, 'counter'), { tributary_rebalance_kind: 'assigned' }), PARTITIONS);
    const e2eMean = sumSamples(scrape, 'tributary_e2e_latency_sum') / RECORDS;
    assert.ok(e2eMean >= 1 && e2eMean < 60, `e2e mean ${e2eMean}s`);

    // Lag is reported per owned partition and drains to zero once everything is read.
    const drained = await waitForMetrics(metricsUrl, metricEquals(prometheusName(M.consumerLag, 'gauge'), 0), { timeoutMs: 10_000 });
    assert.equal(drained.samples.filter((s) => s.name === 'tributary_consumer_lag').length, PARTITIONS);

    const ready = await fetch(`${t.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(Object.keys(JSON.parse(await ready.text()).tasks).sort(), ['0_0', '0_1', '0_2']);

    // `tributary top` against the running process sees the same totals and states.
    const top = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, 'top', '--once', '--interval', '0.2', '--url', t.url!], { stdio: ['ignore', 'pipe', 'inherit'] });
      let stdout = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.on('close', (code) => resolve({ code, stdout }));
    });
    assert.equal(top.code, 0);
    assert.match(top.stdout, new RegExp(`\\(total in ${RECORDS}, out ${RECORDS}\\)`));
    assert.match(top.stdout, /^lag {10}0 records/m);
    assert.match(top.stdout, /^e2e latency {2}p50 \d/m);
    assert.match(top.stdout, /^tasks {8}running 3 \(0_0 0_1 0_2\)$/m);

    // The outputs really are in Kafka and carry a trace context (from the batch spans).
    const seen = new Set<string>();
    const reader = kafka.consumer({ groupId: `g-${randomUUID()}` });
    await reader.connect();
    try {
      await reader.subscribe({ topic: output, fromBeginning: true });
      let count = 0;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`read ${count} of ${RECORDS} outputs`)), 30_000);
        void reader.run({
          eachMessage: async ({ message }) => {
            const sc = spanContextFromHeaders(message.headers);
            if (sc) seen.add(sc.traceId);
            if (++count === RECORDS) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
    } finally {
      await reader.disconnect();
    }
    assert.ok(seen.size >= 1, 'outputs carry a traceparent');
  });
});
