import { context as contextApi, ROOT_CONTEXT, trace, type Context, type SpanContext, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * Kafka headers as kafkajs hands them over (a header may repeat) and as
 * StreamRecord carries them.
 */
export type KafkaHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

// W3C Trace Context is fixed here rather than read from the global
// propagator: records written by one Tributary process must be readable by
// any other, whatever OTEL_PROPAGATORS says.
const propagator = new W3CTraceContextPropagator();

const getter: TextMapGetter<KafkaHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get(carrier, key) {
    // Kafka header names are case-sensitive; W3C names are lower-case, so
    // accept any case a foreign producer used.
    const name = key in carrier ? key : Object.keys(carrier).find((k) => k.toLowerCase() === key);
    const value = name === undefined ? undefined : carrier[name];
    if (value === undefined) return undefined;
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? undefined : Buffer.isBuffer(first) ? first.toString('latin1') : first;
  },
};

const setter: TextMapSetter<Record<string, string | Buffer | undefined>> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};

/**
 * Headers with the W3C `traceparent` (and `tracestate` when present) of
 * `ctx` — by default the active context — added. Returns a new object; the
 * input is not changed. Without a valid span in `ctx` the headers come back
 * as they were, minus any stale trace headers, so an output never claims a
 * trace it is not part of.
 */
export function injectTraceContext<H extends Record<string, string | Buffer | undefined>>(
  headers: H,
  ctx: Context = contextApi.active(),
): H & { traceparent?: string; tracestate?: string } {
  const out: Record<string, string | Buffer | undefined> = { ...headers };
  delete out.traceparent;
  delete out.tracestate;
  propagator.inject(ctx, out, setter);
  return out as H & { traceparent?: string; tracestate?: string };
}

/**
 * The context carried by a record's headers, on top of `base` (the root
 * context by default). When the headers carry no valid `traceparent` the
 * result has no span: `trace.getSpanContext(result)` is undefined.
 */
export function extractTraceContext(headers: KafkaHeaders | undefined, base: Context = ROOT_CONTEXT): Context {
  return headers ? propagator.extract(base, headers, getter) : base;
}

/** The remote span context carried by a record's headers, if any (for span links). */
export function spanContextFromHeaders(headers: KafkaHeaders | undefined): SpanContext | undefined {
  const sc = trace.getSpanContext(extractTraceContext(headers));
  return sc && trace.isSpanContextValid(sc) ? sc : undefined;
}
