/**
 * Where a task pipeline reports what its steps do. TributaryMetrics implements it in
 * production; the test driver collects the events it is told.
 */
export interface StepMeter {
  /** `count` records went into (`in`) or came out of (`out`) step `stepId` in one batch. */
  stepRecords(stepId: string, direction: 'in' | 'out', count: number): void;
  /** Step `stepId` took `seconds` for one batch, from wiring to drain. */
  stepDuration(stepId: string, seconds: number): void;
  /**
   * An event an operator counts through `context.count` (`late_records`, `join_misses`,
   * `duplicates_dropped`, `unchanged_dropped`, a custom operator's own) or the runtime counts
   * for it (`skipped_records`: a record dropped by `onError: skip`).
   */
  stepEvents(stepId: string, event: string, count: number): void;
}
