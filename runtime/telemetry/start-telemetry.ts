import { context, metrics, propagation, trace, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { NodeSDK, resources } from '@opentelemetry/sdk-node';
import { NoopSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { AggregationType, type IMetricReader, type ViewOptions } from '@opentelemetry/sdk-metrics';
import { ConfigError } from '../../core/errors';
import { otlpFromEnv, type OtlpPipelines } from './internal/otlp-from-env';
import { Readiness } from './readiness';
import { TelemetryServer, type RouteHandler } from './telemetry-server';
import { TributaryMetrics } from './tributary-metrics';

/** Options of {@link startTelemetry}. */
export interface TelemetryOptions {
  /** `service.name` of every metric and span, e.g. the application id. */
  readonly serviceName: string;
  /** Consumer group, added to the messaging metrics. */
  readonly consumerGroup?: string;
  /**
   * The HTTP endpoint serving `/metrics`, `/healthz`, `/readyz`
   * (default 127.0.0.1:9464), or `false` for none.
   */
  readonly prometheus?: { readonly host?: string; readonly port?: number } | false;
  /**
   * Export over OTLP (http/protobuf) too. Default: when
   * `OTEL_EXPORTER_OTLP_ENDPOINT` (or its `_METRICS_`/`_TRACES_` variant) is set;
   * endpoint, headers and interval come from the standard `OTEL_*` variables.
   */
  readonly otlp?: boolean;
  /**
   * Share of new traces recorded, 0 to 1, parent-based (a batch continuing a
   * sampled trace is always recorded). Default: the `OTEL_TRACES_SAMPLER`
   * variables, else every trace — spans are per batch, not per record.
   */
  readonly sampling?: { readonly ratio: number };
  /** Further span processors (an in-memory exporter in tests, a custom exporter). */
  readonly spanProcessors?: readonly SpanProcessor[];
  /** Further metric readers. */
  readonly metricReaders?: readonly IMetricReader[];
  /**
   * Node.js runtime metrics (event-loop delay and utilisation, GC pauses, heap per space) from
   * `@opentelemetry/instrumentation-runtime-node`; default on.
   */
  readonly runtimeMetrics?: boolean;
}

/** What {@link startTelemetry} returns. */
export interface Telemetry {
  readonly metrics: TributaryMetrics;
  readonly tracer: Tracer;
  readonly readiness: Readiness;
  /**
   * Whether finished spans go anywhere (OTLP or a processor given in the
   * options). When false only the batch spans are made, for the trace context
   * they write into output headers; stage spans are skipped.
   */
  readonly tracesExported: boolean;
  /** Base URL of the HTTP endpoint, when one is served. */
  readonly url?: string;
  /**
   * Serve a path prefix on the HTTP endpoint (GET and HEAD only), e.g. interactive queries
   * under `/v1/stores`; false when no endpoint is served.
   */
  mount(prefix: string, handler: RouteHandler): boolean;
  /** Stop serving a prefix mounted before. */
  unmount(prefix: string): void;
  /** Flush exporters, stop the endpoint and unregister the global providers. */
  shutdown(): Promise<void>;
}

// Histograms other areas create without bucket advice: the SDK default
// buckets (0–10,000) suit milliseconds, not these seconds-valued restores.
const views: ViewOptions[] = [{
  instrumentName: 'tributary.restore.duration',
  aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600] } },
}];

// The OpenTelemetry API holds one global provider of each kind; a second
// start would be silently ignored by it, so refuse instead.
let running = false;

/**
 * Start metrics, traces and the operator endpoint of one Tributary process.
 * Registers the global MeterProvider, TracerProvider and W3C propagator, so
 * instruments made anywhere with `metrics.getMeter('tributary')` are exported
 * with these. One telemetry per process at a time.
 */
export async function startTelemetry(options: TelemetryOptions): Promise<Telemetry> {
  if (running) throw new ConfigError('telemetry is already started in this process; shut it down before starting it again');
  const ratio = options.sampling?.ratio;
  if (ratio !== undefined && !(ratio >= 0 && ratio <= 1)) {
    throw new ConfigError(`sampling ratio must be between 0 and 1, got ${String(ratio)}`);
  }
  const prom = options.prometheus === false ? undefined : { host: options.prometheus?.host ?? '127.0.0.1', port: options.prometheus?.port ?? 9464 };
  const exporter = prom ? new PrometheusExporter({ preventServerStart: true }) : undefined;
  const otlp: OtlpPipelines = options.otlp === false ? {} : otlpFromEnv(options.otlp === true);

  const readiness = new Readiness();
  // Bind first: a busy port is the likeliest start-up failure and nothing global is registered yet.
  const server = prom && exporter ? await TelemetryServer.start(prom, (req, res) => exporter.getMetricsRequestHandler(req, res), readiness) : undefined;

  const spanProcessors: SpanProcessor[] = [...(options.spanProcessors ?? [])];
  if (otlp.spanProcessor) spanProcessors.push(otlp.spanProcessor);
  const tracesExported = spanProcessors.length > 0;
  // With no exporter a real tracer is still needed: it mints trace and span
  // ids, so trace context keeps flowing through Kafka headers.
  if (spanProcessors.length === 0) spanProcessors.push(new NoopSpanProcessor());
  const metricReaders: IMetricReader[] = [...(options.metricReaders ?? [])];
  if (exporter) metricReaders.push(exporter);
  if (otlp.metricReader) metricReaders.push(otlp.metricReader);

  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    // process.command_args is left out on purpose: command lines can hold secrets.
    resourceDetectors: [resources.envDetector, resources.hostDetector],
    metricReaders,
    views,
    spanProcessors,
    logRecordProcessors: [],
    textMapPropagator: new W3CTraceContextPropagator(),
    sampler: ratio === undefined ? undefined : new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }),
    instrumentations: options.runtimeMetrics === false ? [] : [new RuntimeNodeInstrumentation({ monitoringPrecision: 10 })],
  } as ConstructorParameters<typeof NodeSDK>[0]);
  try {
    sdk.start();
  } catch (err) {
    await server?.close();
    throw err;
  }
  running = true;

  const meter = metrics.getMeter('tributary');
  const tributaryMetrics = new TributaryMetrics(meter, { consumerGroup: options.consumerGroup, taskStates: () => readiness.tasks() });
  let stopped: Promise<void> | undefined;
  return {
    metrics: tributaryMetrics,
    tracer: trace.getTracer('tributary'),
    readiness,
    tracesExported,
    url: server?.url,
    mount(prefix, handler) {
      server?.mount(prefix, handler);
      return server !== undefined;
    },
    unmount(prefix) {
      server?.unmount(prefix);
    },
    shutdown() {
      stopped ??= (async () => {
        readiness.setReady(false);
        tributaryMetrics.close();
        try {
          await sdk.shutdown();
        } finally {
          await server?.close();
          metrics.disable();
          trace.disable();
          propagation.disable();
          context.disable();
          running = false;
        }
      })();
      return stopped;
    },
  };
}
