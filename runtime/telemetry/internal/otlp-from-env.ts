import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { PeriodicExportingMetricReader, type IMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ConfigError } from '../../../core/errors';

/** The OTLP pipelines the environment asks for. */
export interface OtlpPipelines {
  readonly metricReader?: IMetricReader;
  readonly spanProcessor?: SpanProcessor;
}

const set = (name: string): boolean => (process.env[name] ?? '').trim() !== '';

/**
 * OTLP export configured by the standard variables: `OTEL_EXPORTER_OTLP_ENDPOINT`
 * (or the per-signal `_METRICS_` / `_TRACES_` endpoints), `OTEL_EXPORTER_OTLP_HEADERS`,
 * `OTEL_METRIC_EXPORT_INTERVAL` (ms, default 60,000). Only http/protobuf is
 * bundled; asking for another protocol is a configuration error rather than
 * a silent fallback. `force` builds both pipelines even without endpoints
 * (they then use the OTLP default, http://localhost:4318).
 */
export function otlpFromEnv(force: boolean): OtlpPipelines {
  for (const name of ['OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL']) {
    const protocol = (process.env[name] ?? '').trim();
    if (protocol !== '' && protocol !== 'http/protobuf') {
      throw new ConfigError(`${name}=${protocol} is not supported: Tributary exports OTLP over http/protobuf only (port 4318 of a collector)`);
    }
  }
  const any = set('OTEL_EXPORTER_OTLP_ENDPOINT');
  const intervalText = (process.env.OTEL_METRIC_EXPORT_INTERVAL ?? '').trim();
  const interval = intervalText === '' ? 60_000 : Number(intervalText);
  if (!Number.isInteger(interval) || interval <= 0) {
    throw new ConfigError(`OTEL_METRIC_EXPORT_INTERVAL must be a positive number of milliseconds, got '${intervalText}'`);
  }
  return {
    metricReader: force || any || set('OTEL_EXPORTER_OTLP_METRICS_ENDPOINT')
      ? new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter(), exportIntervalMillis: interval, exportTimeoutMillis: Math.min(30_000, interval) })
      : undefined,
    spanProcessor: force || any || set('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ? new BatchSpanProcessor(new OTLPTraceExporter()) : undefined,
  };
}
