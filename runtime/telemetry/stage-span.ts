import { context as contextApi, createContextKey, SpanStatusCode, trace, TraceFlags, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';

// Set on a batch span's context when its stages deserve spans of their own:
// only when spans leave the process. Without an exporter the batch span still
// exists (it mints the trace context written to output headers), but child
// spans nobody can see would be pure overhead.
const STAGE_SPANS = createContextKey('tributary.stage-spans');

/** `ctx` with stage spans (deserialize, step, scoring, store flush, commit) turned on beneath its span. */
export function withStageSpans(ctx: Context): Context {
  return ctx.setValue(STAGE_SPANS, true);
}

/**
 * The tracer for a child span of the batch span active in `ctx`, or
 * undefined when no stage spans are wanted there: no batch span (telemetry
 * off, a punctuation run, the test driver), a batch span that is not sampled,
 * or stage spans not turned on by {@link withStageSpans}. Callers skip all
 * span work when it is undefined, which keeps the untraced path free.
 *
 * The test is the sampled flag, not `isRecording()`: a unit's commit runs
 * after the batch that cut it has ended (decision 0032), and its spans still
 * belong under that batch.
 */
export function stageTracer(ctx: Context = contextApi.active()): Tracer | undefined {
  if (ctx.getValue(STAGE_SPANS) !== true) return undefined;
  const parent = trace.getSpan(ctx);
  if (!parent || (parent.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return undefined;
  return trace.getTracer('tributary');
}

/**
 * Run `work` inside a stage span named `name`, a child of the active batch
 * span, when stage spans are on (see {@link stageTracer}); otherwise just run
 * it. The span is not made active: outputs encoded inside keep carrying the
 * batch span's trace context. `work` may add attributes to the span it gets.
 */
export async function inStageSpan<T>(name: string, work: (span: Span | undefined) => Promise<T> | T, attributes?: Attributes): Promise<T> {
  const ctx = contextApi.active();
  const tracer = stageTracer(ctx);
  if (!tracer) return work(undefined);
  const span = tracer.startSpan(name, { attributes }, ctx);
  try {
    return await work(span);
  } catch (err) {
    markSpanFailed(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/** Record `err` on `span` and set its status to error. */
export function markSpanFailed(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}
