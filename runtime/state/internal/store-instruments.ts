import { metrics, type Attributes, type Counter, type Histogram, type MeterProvider } from '@opentelemetry/api';

/*
 * Instrument and attribute names as listed by runtime/telemetry/metric-names.ts
 * (storeMetricNames, metricNames.restore*, attributeNames.store/taskId); kept
 * as literals so the state area compiles on its own.
 */
export const storeInstrumentNames = {
  reads: 'tributary.store.reads',
  writes: 'tributary.store.writes',
  cacheHits: 'tributary.store.cache.hits',
  cacheMisses: 'tributary.store.cache.misses',
  restoreRecords: 'tributary.restore.records',
  restoreDuration: 'tributary.restore.duration',
  restoreRemaining: 'tributary.restore.remaining',
} as const;

export const storeAttributeNames = {
  store: 'tributary.store.name',
  task: 'tributary.task.id',
} as const;

/** The counters of one store in one task, bound to its attributes. */
export class StoreInstruments {
  readonly attributes: Attributes;
  private readonly readCounter: Counter;
  private readonly writeCounter: Counter;
  private readonly hitCounter: Counter;
  private readonly missCounter: Counter;

  constructor(store: string, task: string, provider?: MeterProvider) {
    const meter = (provider ?? metrics).getMeter('tributary');
    this.attributes = { [storeAttributeNames.store]: store, [storeAttributeNames.task]: task };
    this.readCounter = meter.createCounter(storeInstrumentNames.reads, { description: 'Keys read from a state store' });
    this.writeCounter = meter.createCounter(storeInstrumentNames.writes, { description: 'Keys written or deleted in a state store' });
    this.hitCounter = meter.createCounter(storeInstrumentNames.cacheHits, { description: 'Store reads served by the write-back cache' });
    this.missCounter = meter.createCounter(storeInstrumentNames.cacheMisses, { description: 'Store reads that went to RocksDB' });
  }

  reads(n: number): void {
    this.readCounter.add(n, this.attributes);
  }

  writes(n: number): void {
    this.writeCounter.add(n, this.attributes);
  }

  hits(n: number): void {
    this.hitCounter.add(n, this.attributes);
  }

  misses(n: number): void {
    this.missCounter.add(n, this.attributes);
  }
}

/** Restore instruments of one task (store is an attribute per call). */
export class RestoreInstruments {
  private readonly records: Counter;
  private readonly duration: Histogram;
  private readonly remaining = new Map<string, number>();

  constructor(private readonly task: string, provider?: MeterProvider) {
    const meter = (provider ?? metrics).getMeter('tributary');
    this.records = meter.createCounter(storeInstrumentNames.restoreRecords, { description: 'Changelog records applied while restoring a store' });
    this.duration = meter.createHistogram(storeInstrumentNames.restoreDuration, { description: 'Time to restore one store partition', unit: 's' });
    const gauge = meter.createObservableGauge(storeInstrumentNames.restoreRemaining, { description: 'Changelog offsets still to restore, per store' });
    gauge.addCallback((result) => {
      for (const [store, n] of this.remaining) result.observe(n, { [storeAttributeNames.store]: store, [storeAttributeNames.task]: this.task });
    });
  }

  /** Offsets between the restore position and the end (0 once done). */
  setRemaining(store: string, n: number): void {
    this.remaining.set(store, n);
  }

  restored(store: string, n: number): void {
    this.records.add(n, { [storeAttributeNames.store]: store, [storeAttributeNames.task]: this.task });
  }

  finished(store: string, seconds: number): void {
    this.duration.record(seconds, { [storeAttributeNames.store]: store, [storeAttributeNames.task]: this.task });
  }
}
