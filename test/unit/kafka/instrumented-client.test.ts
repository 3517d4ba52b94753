import { strict as assert } from 'node:assert';
import { context, SpanKind } from '@opentelemetry/api';
import { AggregationTemporality, MetricReader, type DataPoint, type Histogram, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { GroupConsumer, KafkaClient, KafkaProducer, KafkaTransaction, TopicMessages } from '../../../runtime/kafka/client/kafka-client';
import { instrumentClient, topicRoles } from '../../../runtime/kafka/instrumented-client';
import { batchSpan, startTelemetry, withStageSpans, type Telemetry } from '../../../runtime/telemetry';
import { loadTopologyText } from '../../../topology';

class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

/** The data points of one metric, with their attributes. */
function points(metrics: ResourceMetrics, name: string): Array<DataPoint<number | Histogram>> {
  return metrics.scopeMetrics.flatMap((s) => s.metrics).filter((m) => m.descriptor.name === name).flatMap((m) => m.dataPoints as Array<DataPoint<number | Histogram>>);
}

/** A client whose producer, transactions and consumer record calls and fail when told to. */
function fakeClient(fail: { send?: Error }): { client: KafkaClient; sent: TopicMessages[][] } {
  const sent: TopicMessages[][] = [];
  const send = async (messages: readonly TopicMessages[]) => {
    if (fail.send) throw fail.send;
    sent.push([...messages]);
    return messages.map((m) => ({ topic: m.topic, partition: 0 }));
  };
  const producer: KafkaProducer = { send, close: async () => undefined };
  const transaction: KafkaTransaction = { send, sendOffsets: async () => undefined, commit: async () => undefined, abort: async () => undefined };
  const consumer = { commitOffsets: async () => undefined } as unknown as GroupConsumer;
  const unused = (): never => { throw new Error('not used by this test'); };
  const client: KafkaClient = {
    library: 'fake',
    checkConnection: async () => undefined,
    admin: unused,
    producer: async () => producer,
    transactionalProducer: async () => ({ begin: async () => transaction, close: async () => undefined }),
    groupConsumer: () => consumer,
    readRanges: unused,
    isRecoverable: () => false,
  };
  return { client, sent };
}

const topology = loadTopologyText(`name: app
sources:
  in: { topic: lines, value: json }
pipelines:
  main: { from: in, to: out }
sinks:
  out: { topic: counted, value: json }
`, '/tmp/instrumented-client.yaml', { env: {} });

describe('Kafka client seam instrumented by the messaging conventions', () => {
  let telemetry: Telemetry;
  const spans = new InMemorySpanExporter();
  // The simple processor exports once the resource's async attributes settle: flush before reading.
  const processor = new SimpleSpanProcessor(spans);
  const finishedSpans = async () => {
    await processor.forceFlush();
    return spans.getFinishedSpans();
  };
  const reader = new TestReader();
  before(async () => {
    telemetry = await startTelemetry({
      serviceName: 'client-unit', prometheus: false, otlp: false, runtimeMetrics: false,
      spanProcessors: [processor], metricReaders: [reader],
    });
  });
  after(async () => telemetry.shutdown());

  it('names topic roles from the topology: sinks, the dead-letter topic, everything else internal', () => {
    assert.ok(topology.topology, topology.problems.map((p) => p.message).join('; '));
    const roleOf = topicRoles(topology.topology!);
    assert.equal(roleOf('counted'), 'sink');
    assert.equal(roleOf(topology.topology!.processing.deadLetterTopic), 'dlq');
    assert.equal(roleOf('app-counts-changelog'), 'internal');
  });

  it('counts sent messages per topic and role, times each send and makes one producer span per topic inside a traced batch', async () => {
    const { client, sent } = fakeClient({});
    const roleOf = (t: string) => (t === 'recs' ? 'sink' as const : 'internal' as const);
    const kafka = instrumentClient(client, { metrics: telemetry.metrics, roleOf });
    const producer = await kafka.producer();
    const batch = batchSpan(telemetry.tracer, { taskId: '0_0', topic: 'clicks', partition: 0 }, [{}]);
    await context.with(withStageSpans(batch.context), () => producer.send([
      { topic: 'recs', messages: [{ value: 'a' }, { value: 'b' }] },
      { topic: 'app-s-changelog', messages: [{ value: 'c' }] },
    ], 'none'));
    batch.end();
    // Outside a batch: measured, no span.
    await producer.send([{ topic: 'recs', messages: [{ value: 'd' }] }], 'none');
    assert.equal(sent.length, 2);

    const finished = await finishedSpans();
    const send = finished.filter((s) => s.name.startsWith('send '));
    assert.deepEqual(send.map((s) => s.name).sort(), ['send app-s-changelog', 'send recs']);
    const recs = send.find((s) => s.name === 'send recs')!;
    assert.equal(recs.kind, SpanKind.PRODUCER);
    assert.equal(recs.parentSpanContext?.spanId, batch.span.spanContext().spanId);
    assert.deepEqual(
      [recs.attributes['messaging.system'], recs.attributes['messaging.operation.name'], recs.attributes['messaging.operation.type'], recs.attributes['messaging.destination.name'], recs.attributes['messaging.batch.message_count'], recs.attributes['tributary.topic.role']],
      ['kafka', 'send', 'send', 'recs', 2, 'sink'],
    );

    const { resourceMetrics } = await reader.collect();
    const sentPoints = points(resourceMetrics, 'messaging.client.sent.messages');
    const sentTo = (topic: string) => sentPoints.filter((p) => p.attributes['messaging.destination.name'] === topic).reduce((n, p) => n + (p.value as number), 0);
    assert.equal(sentTo('recs'), 3);
    assert.equal(sentTo('app-s-changelog'), 1);
    for (const p of sentPoints) assert.equal(p.attributes['messaging.operation.name'], 'send');
    assert.deepEqual(sentPoints.map((p) => p.attributes['tributary.topic.role']).sort(), ['internal', 'sink']);
    const durations = points(resourceMetrics, 'messaging.client.operation.duration').filter((p) => p.attributes['messaging.operation.name'] === 'send');
    assert.equal(durations.reduce((n, p) => n + (p.value as Histogram).count, 0), 2, 'one duration per produce request');
    // The request that wrote one topic names it; the one that wrote two names none.
    assert.ok(durations.some((p) => p.attributes['messaging.destination.name'] === 'recs'));
    assert.ok(durations.some((p) => p.attributes['messaging.destination.name'] === undefined));
  });

  it('times offset commits and transaction commits, and marks a failed send on its span and metrics', async () => {
    spans.reset();
    const failure = new TypeError('leader not available');
    const { client } = fakeClient({ send: failure });
    const kafka = instrumentClient(client, { metrics: telemetry.metrics, roleOf: () => 'sink' });
    const consumer = kafka.groupConsumer({ groupId: 'app', topics: [], maxBytesPerPartition: 1, sessionTimeoutMs: 1, rebalanceTimeoutMs: 1, heartbeatIntervalMs: 1, partitionsConsumedConcurrently: 1 });
    const transaction = await (await kafka.transactionalProducer('app-0_0', 1000)).begin();
    const batch = batchSpan(telemetry.tracer, { taskId: '0_0', topic: 'clicks', partition: 0 }, [{}]);
    await context.with(withStageSpans(batch.context), async () => {
      await consumer.commitOffsets([{ topic: 'clicks', partition: 0, offset: '10' }]);
      await transaction.sendOffsets('app', [{ topic: 'clicks', partition: 0, offset: '11' }]);
      await transaction.commit();
      await assert.rejects(transaction.send([{ topic: 'recs', messages: [{ value: 'x' }] }], 'none'), /leader not available/);
    });
    batch.end();

    const done = await finishedSpans();
    const names = done.map((s) => s.name);
    assert.deepEqual(names.filter((n) => n !== 'process clicks').sort(), ['commit clicks', 'commit clicks', 'commit_transaction', 'send recs']);
    const failed = done.find((s) => s.name === 'send recs')!;
    assert.equal(failed.status.code, 2 /* ERROR */);

    const { resourceMetrics } = await reader.collect();
    const ops = points(resourceMetrics, 'messaging.client.operation.duration');
    const count = (name: string, extra: Record<string, string> = {}) => ops
      .filter((p) => p.attributes['messaging.operation.name'] === name && Object.entries(extra).every(([k, v]) => p.attributes[k] === v))
      .reduce((n, p) => n + (p.value as Histogram).count, 0);
    assert.equal(count('commit', { 'messaging.operation.type': 'settle', 'messaging.destination.name': 'clicks' }), 2);
    assert.equal(count('commit_transaction'), 1);
    assert.equal(count('send', { 'error.type': 'TypeError' }), 1);
    const failedSent = points(resourceMetrics, 'messaging.client.sent.messages').filter((p) => p.attributes['error.type'] === 'TypeError');
    assert.equal(failedSent.reduce((n, p) => n + (p.value as number), 0), 1);
  });
});
