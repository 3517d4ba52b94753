import * as assert from 'node:assert/strict';
import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTelemetry, type Telemetry } from '../../../runtime/telemetry/start-telemetry';
import { batchSpan } from '../../../runtime/telemetry/batch-span';
import { inStageSpan, stageTracer, withStageSpans } from '../../../runtime/telemetry/stage-span';

describe('stage spans under a batch span', () => {
  const exporter = new InMemorySpanExporter();
  // Export waits for the resource's async attributes: flush before reading.
  const processor = new SimpleSpanProcessor(exporter);
  let telemetry: Telemetry;
  before(async () => {
    telemetry = await startTelemetry({ serviceName: 'stage-unit', prometheus: false, otlp: false, spanProcessors: [processor] });
  });
  after(async () => telemetry.shutdown());
  beforeEach(() => exporter.reset());

  it('makes a child of the batch span only where stage spans are turned on', async () => {
    const batch = batchSpan(telemetry.tracer, '0_3', []);
    assert.equal(stageTracer(ROOT_CONTEXT), undefined, 'no batch span');
    assert.equal(stageTracer(batch.context), undefined, 'batch span without stage spans');
    assert.ok(stageTracer(withStageSpans(batch.context)));

    const got = await context.with(withStageSpans(batch.context), () => inStageSpan('commit', (span) => {
      span?.setAttribute('tributary.dlq.records', 2);
      // Not made active: outputs encoded here carry the batch span's context.
      assert.equal(trace.getSpan(context.active())?.spanContext().spanId, batch.span.spanContext().spanId);
      return 7;
    }));
    await context.with(batch.context, () => inStageSpan('deserialize', () => undefined));
    batch.end();
    await processor.forceFlush();
    assert.equal(got, 7);
    const commit = exporter.getFinishedSpans().find((s) => s.name === 'commit');
    assert.ok(commit, 'commit span exported');
    assert.equal(commit.parentSpanContext?.spanId, batch.span.spanContext().spanId);
    assert.equal(commit.attributes['tributary.dlq.records'], 2);
    assert.equal(exporter.getFinishedSpans().some((s) => s.name === 'deserialize'), false, 'no stage span where not turned on');
  });

  it('marks the stage span failed and rethrows', async () => {
    const batch = batchSpan(telemetry.tracer, '0_4', []);
    await assert.rejects(context.with(withStageSpans(batch.context), () => inStageSpan('store flush', async () => {
      throw new Error('disk full');
    })), /disk full/);
    batch.end();
    await processor.forceFlush();
    const flush = exporter.getFinishedSpans().find((s) => s.name === 'store flush');
    assert.equal(flush?.status.message, 'disk full');
    assert.equal(flush?.events[0]?.name, 'exception');
  });

  it('says whether spans leave the process', async () => {
    assert.equal(telemetry.tracesExported, true);
  });
});
