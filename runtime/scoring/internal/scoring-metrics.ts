import { metrics, type Attributes, type Counter, type Histogram, type Meter } from '@opentelemetry/api';
import type { BatchEvent } from '../dynamic-batcher';
import { canRetry } from '../../../core/failure';

/**
 * Scoring instruments, on the global OpenTelemetry meter unless one is given
 * (no-ops until the telemetry layer installs a provider): batch sizes and
 * latency, rows scored, failed attempts, and the execution provider in use
 * per model and backend.
 */
export class ScoringMetrics {
  private readonly batchRows: Histogram;
  private readonly batchDuration: Histogram;
  private readonly rows: Counter;
  private readonly failures: Counter;
  private readonly providers = new Map<string, Attributes>();

  constructor(meter: Meter = metrics.getMeter('tributary.scoring')) {
    this.batchRows = meter.createHistogram('tributary.scoring.batch.rows', { description: 'rows per scoring batch', unit: '{row}' });
    this.batchDuration = meter.createHistogram('tributary.scoring.batch.duration', { description: 'time from batch sent to outputs back', unit: 'ms' });
    this.rows = meter.createCounter('tributary.scoring.rows', { description: 'rows scored', unit: '{row}' });
    this.failures = meter.createCounter('tributary.scoring.batch.failures', { description: 'failed batch attempts (retried when retriable)' });
    meter.createObservableGauge('tributary.scoring.provider', { description: '1 per model, backend and execution provider in use' })
      .addCallback((result) => {
        for (const attributes of this.providers.values()) result.observe(1, attributes);
      });
  }

  batch(model: string, event: BatchEvent): void {
    const attributes = { model };
    if (event.error !== undefined) {
      this.failures.add(1, { ...attributes, retriable: canRetry(event.error) });
      return;
    }
    this.batchRows.record(event.rows, attributes);
    this.batchDuration.record(event.durationMs, attributes);
    this.rows.add(event.rows, attributes);
  }

  provider(model: string, backend: string, provider: string): void {
    this.providers.set(`${model}/${backend}`, { model, backend, provider });
  }
}
