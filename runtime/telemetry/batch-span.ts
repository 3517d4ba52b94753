import { context as contextApi, ROOT_CONTEXT, SpanKind, trace, type Attributes, type Context, type Link, type Span, type SpanContext, type Tracer } from '@opentelemetry/api';
import { attributeNames as A } from './metric-names';
import { operation } from './messaging-operation';
import { markSpanFailed as markFailed } from './stage-span';
import { spanContextFromHeaders, type KafkaHeaders } from './trace-context';

/** Where a batch came from, for span attributes. */
export interface BatchOrigin {
  readonly taskId: string;
  readonly topic?: string;
  readonly partition?: number;
  /** The consumer group (application id) that fetched it. */
  readonly consumerGroup?: string;
}

/** Options of {@link batchSpan}. */
export interface BatchSpanOptions {
  /** Most links one span carries; the SDK's default span limit is 128. */
  readonly maxLinks?: number;
}

/**
 * The span of one batch of one task (`process <topic>`, kind consumer, by the OpenTelemetry
 * messaging conventions), with helpers for its stages. Under
 * `tributary run` its children are `deserialize`, `step <id>` (one per step
 * per batch), `scoring <model>` (under the score step's span), `serialize`,
 * `store flush` and `commit`; see stage-span.ts.
 */
export interface BatchSpan {
  readonly span: Span;
  /** Context holding {@link span}: run work in it so nested spans and injected headers descend from it. */
  readonly context: Context;
  /** Start a child span; the caller ends it. */
  child(name: string, attributes?: Attributes): Span;
  /** Run `work` in the context of a child span that ends when it settles, recording a failure. */
  run<T>(name: string, work: () => Promise<T> | T, attributes?: Attributes): Promise<T>;
  /** End the batch span, marking it failed when `error` is given. */
  end(error?: unknown): void;
}

/**
 * Start the span of one batch. Records whose headers carry a W3C trace
 * context are tied to it: when they all belong to one trace (one span
 * context) the batch span is a child of it; when the batch merges records
 * from several traces the batch span starts a trace of its own and carries a
 * link to each distinct context, so every producer's trace leads to the batch
 * that processed it.
 */
export function batchSpan(
  tracer: Tracer,
  origin: BatchOrigin | string,
  records: Iterable<{ readonly headers?: KafkaHeaders; readonly offset?: string }>,
  options: BatchSpanOptions = {},
): BatchSpan {
  const o: BatchOrigin = typeof origin === 'string' ? { taskId: origin } : origin;
  const maxLinks = options.maxLinks ?? 128;
  const distinct = new Map<string, SpanContext>();
  let count = 0;
  let first: string | undefined;
  let last: string | undefined;
  for (const record of records) {
    count++;
    first ??= record.offset;
    last = record.offset;
    const sc = spanContextFromHeaders(record.headers);
    if (sc) distinct.set(`${sc.traceId}-${sc.spanId}`, sc);
  }
  const attributes: Attributes = {
    [A.messagingSystem]: 'kafka',
    ...operation('process'),
    [A.batchMessageCount]: count,
    [A.taskId]: o.taskId,
  };
  if (o.topic !== undefined) attributes[A.destination] = o.topic;
  if (o.partition !== undefined) attributes[A.partition] = String(o.partition);
  if (o.consumerGroup !== undefined) attributes[A.consumerGroup] = o.consumerGroup;
  // The convention's offset attribute is per message: set it for a batch of one, else the batch's range.
  if (count === 1 && first !== undefined) attributes['messaging.kafka.offset'] = Number(first);
  else if (first !== undefined && last !== undefined) attributes['tributary.batch.offsets'] = `${first}-${last}`;

  let parent = ROOT_CONTEXT;
  let links: Link[] = [];
  if (distinct.size === 1) {
    parent = trace.setSpanContext(ROOT_CONTEXT, [...distinct.values()][0]);
  } else if (distinct.size > 1) {
    links = [...distinct.values()].slice(0, maxLinks).map((context) => ({ context }));
    attributes['tributary.batch.traces'] = distinct.size;
  }
  // Span name by the messaging conventions: `{operation} {destination}`.
  const span = tracer.startSpan(o.topic === undefined ? 'process' : `process ${o.topic}`, { kind: SpanKind.CONSUMER, attributes, links }, parent);
  const ctx = trace.setSpan(parent, span);

  return {
    span,
    context: ctx,
    child: (name, attrs) => tracer.startSpan(name, { attributes: attrs }, ctx),
    async run(name, work, attrs) {
      const child = tracer.startSpan(name, { attributes: attrs }, ctx);
      try {
        return await contextApi.with(trace.setSpan(ctx, child), work);
      } catch (err) {
        markFailed(child, err);
        throw err;
      } finally {
        child.end();
      }
    },
    end(error) {
      if (error !== undefined) markFailed(span, error);
      span.end();
    },
  };
}
