import { metrics, type Attributes } from '@opentelemetry/api';
import type { BatchEvent } from '../dynamic-batcher';

/**
 * Scoring instruments on the global OpenTelemetry meter (no-ops until the
 * telemetry layer installs a provider): batch sizes and latency, rows scored,
 * failed attempts, and the execution provider in use per model.
 */
export class ScoringMetrics {
  private readonly meter = metrics.getMeter('tributary.scoring');
  private readonly batchRows = this.meter.createHistogram('tributary.scoring.batch.rows', { description: 'rows per scoring batch', unit: '{row}' });
  private readonly batchDuration = this.meter.createHistogram('tributary.scoring.batch.duration', { description: 'time from batch sent to outputs back', unit: 'ms' });
  private readonly rows = this.meter.createCounter('tributary.scoring.rows', { description: 'rows scored', unit: '{row}' });
  private readonly failures = this.meter.createCounter('tributary.scoring.batch.failures', { description: 'failed batch attempts (retried when retriable)' });
  private readonly providerGauge = this.meter.createObservableGauge('tributary.scoring.provider', { description: '1 per model, backend and execution provider in use' });
  private readonly providers = new Map<string, Attributes>();

  constructor() {
    this.providerGauge.addCallback((result) => {
      for (const attributes of this.providers.values()) result.observe(1, attributes);
    });
  }

  batch(model: string, event: BatchEvent): void {
    const attributes = { model };
    if (event.error !== undefined) {
      this.failures.add(1, { ...attributes, retriable: (event.error as { retriable?: boolean })?.retriable === true });
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
