import * as assert from 'node:assert/strict';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { batchSpan } from '../../../runtime/telemetry/batch-span';
import { startTelemetry, type Telemetry } from '../../../runtime/telemetry/start-telemetry';
import { extractTraceContext, injectTraceContext, spanContextFromHeaders } from '../../../runtime/telemetry/trace-context';

describe('Kafka trace context helpers', () => {
  const exporter = new InMemorySpanExporter();
  // The simple processor exports once the resource's async attributes (host id) settle: flush before reading.
  const processor = new SimpleSpanProcessor(exporter);
  const finished = async () => {
    await processor.forceFlush();
    return exporter.getFinishedSpans();
  };
  let telemetry: Telemetry;
  before(async () => {
    telemetry = await startTelemetry({ serviceName: 'trace-unit', prometheus: false, otlp: false, spanProcessors: [processor] });
  });
  after(async () => telemetry.shutdown());
  afterEach(() => exporter.reset());

  it('writes traceparent/tracestate of the active span and reads them back from Buffer headers', () => {
    const span = telemetry.tracer.startSpan('produce', { kind: SpanKind.PRODUCER });
    const headers = context.with(trace.setSpan(context.active(), span), () => injectTraceContext({ key: 'kept' }));
    span.end();
    const sc = span.spanContext();
    assert.equal(headers.key, 'kept');
    assert.equal(headers.traceparent, `00-${sc.traceId}-${sc.spanId}-01`);
    // Kafka hands headers back as Buffers (possibly repeated).
    const back = spanContextFromHeaders({ traceparent: [Buffer.from(headers.traceparent as string)] });
    assert.equal(back?.traceId, sc.traceId);
    assert.equal(back?.spanId, sc.spanId);
    assert.equal(back?.isRemote, true);
  });

  it('drops stale trace headers when there is no span to inject and ignores malformed ones', () => {
    const stale = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'x=1' };
    assert.deepEqual(injectTraceContext(stale, trace.deleteSpan(context.active())), {});
    assert.equal(spanContextFromHeaders({ traceparent: 'garbage' }), undefined);
    assert.equal(spanContextFromHeaders(undefined), undefined);
    assert.equal(trace.getSpanContext(extractTraceContext({})), undefined);
    // Upper-case header names from foreign producers are accepted.
    assert.equal(spanContextFromHeaders({ TraceParent: stale.traceparent })?.spanId, 'b7ad6b7169203331');
  });

  it('makes the batch span a child when every record carries the same trace', async () => {
    const parent = telemetry.tracer.startSpan('upstream');
    const headers = injectTraceContext({}, trace.setSpan(context.active(), parent));
    parent.end();
    const batch = batchSpan(telemetry.tracer, { taskId: '0_3', topic: 'clicks', partition: 3, consumerGroup: 'app' }, [{ headers, offset: '41' }, { headers, offset: '42' }]);
    const serde = batch.child('serde');
    serde.end();
    batch.end();
    const spans = await finished();
    // Named and attributed by the OpenTelemetry messaging conventions: `process <topic>`, kind consumer.
    const b = spans.find((s) => s.name === 'process clicks')!;
    assert.equal(b.kind, SpanKind.CONSUMER);
    assert.deepEqual(
      [b.attributes['messaging.system'], b.attributes['messaging.operation.name'], b.attributes['messaging.operation.type'], b.attributes['messaging.destination.name'], b.attributes['messaging.consumer.group.name']],
      ['kafka', 'process', 'process', 'clicks', 'app'],
    );
    assert.equal(b.attributes['tributary.task.id'], '0_3');
    assert.equal(b.attributes['tributary.batch.offsets'], '41-42');
    assert.equal(b.spanContext().traceId, parent.spanContext().traceId);
    assert.equal(b.parentSpanContext?.spanId, parent.spanContext().spanId);
    assert.equal(b.links.length, 0);
    assert.equal(b.attributes['messaging.batch.message_count'], 2);
    assert.equal(b.attributes['messaging.destination.partition.id'], '3');
    assert.equal(spans.find((s) => s.name === 'serde')!.parentSpanContext?.spanId, b.spanContext().spanId);
  });

  it('links every distinct trace when a batch merges records from several, and records failures', async () => {
    const a = telemetry.tracer.startSpan('a');
    const b = telemetry.tracer.startSpan('b');
    a.end();
    b.end();
    const records = [
      { headers: injectTraceContext({}, trace.setSpan(context.active(), a)) },
      { headers: injectTraceContext({}, trace.setSpan(context.active(), b)) },
      { headers: injectTraceContext({}, trace.setSpan(context.active(), a)) },
      { headers: {} },
    ];
    const batch = batchSpan(telemetry.tracer, '1_0', records);
    await batch.run('step enrich', async () => {
      // Work inside run() sees the child span as active: outputs injected here continue the batch's trace.
      const out = injectTraceContext({});
      assert.equal(spanContextFromHeaders(out)?.traceId, batch.span.spanContext().traceId);
    });
    await assert.rejects(batch.run('commit', () => { throw new Error('broker gone'); }), /broker gone/);
    batch.end();
    const spans = await finished();
    const root = spans.find((s) => s.name === 'process')!; // no topic known: the operation alone
    assert.equal(root.attributes['tributary.task.id'], '1_0');
    assert.equal(root.parentSpanContext, undefined);
    assert.notEqual(root.spanContext().traceId, a.spanContext().traceId);
    assert.deepEqual(root.links.map((l) => l.context.spanId).sort(), [a.spanContext().spanId, b.spanContext().spanId].sort());
    assert.equal(root.attributes['tributary.batch.traces'], 2);
    const commit = spans.find((s) => s.name === 'commit')!;
    assert.equal(commit.status.code, 2 /* ERROR */);
    assert.equal(commit.status.message, 'broker gone');
    assert.equal(spans.find((s) => s.name === 'step enrich')!.parentSpanContext?.spanId, root.spanContext().spanId);
  });
});
