import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createTopics, randomTopic, requireKafka, testKafka, IDEMPOTENT } from '../../helpers/services';
import { batchSpan } from '../../../runtime/telemetry/batch-span';
import { startTelemetry, type Telemetry } from '../../../runtime/telemetry/start-telemetry';
import { extractTraceContext, injectTraceContext } from '../../../runtime/telemetry/trace-context';

/**
 * A record's W3C trace context crosses a real Kafka hop in its headers: the
 * consumer's spans join the producer's trace, and a batch that merges records
 * from several traces links to each.
 */
describe('trace context across a Kafka hop', function () {
  this.timeout(60_000);
  const kafka = testKafka('trace-hop-it');
  const exporter = new InMemorySpanExporter();
  const processor = new SimpleSpanProcessor(exporter);
  let telemetry: Telemetry;

  before(async () => {
    await requireKafka();
    telemetry = await startTelemetry({ serviceName: 'trace-hop-it', prometheus: false, otlp: false, spanProcessors: [processor] });
  });
  after(async () => telemetry?.shutdown());

  it('keeps the trace id and parent span through produce → broker → consume, and links merged traces', async () => {
    const topic = randomTopic('trace');
    await createTopics(kafka, [{ topic, partitions: 1 }]);
    const tracer = telemetry.tracer;

    // Two upstream requests, each its own trace, each producing one record inside a producer span.
    const producer = kafka.producer(IDEMPOTENT);
    await producer.connect();
    const sent: Array<{ traceId: string; spanId: string }> = [];
    try {
      for (const user of ['u1', 'u2']) {
        const request = tracer.startSpan(`request ${user}`);
        await context.with(trace.setSpan(context.active(), request), async () => {
          const send = tracer.startSpan(`send ${topic}`, { kind: SpanKind.PRODUCER });
          const headers = injectTraceContext({ user }, trace.setSpan(context.active(), send));
          await producer.send({ topic, messages: [{ key: user, value: 'engaged', headers }] });
          send.end();
          sent.push({ traceId: send.spanContext().traceId, spanId: send.spanContext().spanId });
        });
        request.end();
      }
    } finally {
      await producer.disconnect();
    }
    assert.notEqual(sent[0].traceId, sent[1].traceId);

    // Consume both in one batch from the real broker.
    const consumer = kafka.consumer({ groupId: `g-${randomUUID()}` });
    const received: Array<{ headers: Record<string, Buffer | string | (Buffer | string)[] | undefined> }> = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`received ${received.length} of 2 records`)), 30_000);
        void consumer.run({
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) received.push({ headers: m.headers ?? {} });
            if (received.length >= 2) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
    } finally {
      await consumer.disconnect();
    }
    assert.ok(Buffer.isBuffer(received[0].headers.traceparent), 'kafkajs hands headers back as bytes');

    // Per record: a process span whose parent is the producer's span, in the producer's trace.
    for (const [i, record] of received.entries()) {
      const span = tracer.startSpan('process record', { kind: SpanKind.CONSUMER }, extractTraceContext(record.headers));
      span.end();
      await processor.forceFlush();
      const done = exporter.getFinishedSpans().find((s) => s.spanContext().spanId === span.spanContext().spanId)!;
      assert.equal(done.spanContext().traceId, sent[i].traceId);
      assert.equal(done.parentSpanContext?.spanId, sent[i].spanId);
      assert.equal(done.parentSpanContext?.isRemote, true);
    }

    // Per batch: two traces merged, so a span of its own with a link to each producer span.
    const batch = batchSpan(tracer, { taskId: '0_0', topic, partition: 0 }, received);
    batch.end();
    await processor.forceFlush();
    const batchDone = exporter.getFinishedSpans().find((s) => s.name === `process ${topic}`)!;
    assert.deepEqual(
      batchDone.links.map((l) => `${l.context.traceId}/${l.context.spanId}`).sort(),
      sent.map((s) => `${s.traceId}/${s.spanId}`).sort(),
    );
  });
});
