import type { StreamRecord } from '../../core/stream-record';

/**
 * What one batch (or punctuation) produced in a task: records for sinks,
 * records for internal repartition topics, and records steps failed on under
 * the `dead-letter` policy (the runtime writes them to the dead-letter topic).
 */
export interface BatchResult {
  readonly outputs: Array<{ readonly sink: string; readonly record: StreamRecord }>;
  readonly repartition: Array<{ readonly topic: string; readonly record: StreamRecord }>;
  readonly failures: Array<{ readonly stepId: string; readonly record: StreamRecord; readonly error: unknown }>;
}
