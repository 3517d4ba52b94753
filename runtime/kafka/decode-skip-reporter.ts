import type { Logger } from '../../core/logger';
import type { TributaryMetrics } from '../telemetry';
import type { SkippedMessage } from './record-decoder';

/** Options of {@link decodeSkipReporter}. */
export interface DecodeSkipReporterOptions {
  /** At most one log line per source topic in this many ms (default 10 s). */
  readonly intervalMs?: number;
  /** Clock in ms (tests pass their own). */
  readonly now?: () => number;
}

/**
 * What a source with `onError: skip` does with a message that does not
 * deserialize: count it (`tributary.skipped.records`, stage deserialize) and
 * log it, at most one line per topic per interval (a poison flood must not
 * become a log flood). A line names the position of the latest skipped
 * message, how many were skipped since the last line and in all, and the
 * error's class and message (serde messages carry no record bytes); never
 * the record's key, value or headers.
 */
export function decodeSkipReporter(logger: Logger, metrics?: TributaryMetrics, options: DecodeSkipReporterOptions = {}): (skipped: SkippedMessage) => void {
  const intervalMs = options.intervalMs ?? 10_000;
  const now = options.now ?? Date.now;
  const perTopic = new Map<string, { lastLogMs: number; sinceLog: number; total: number }>();
  return (skipped) => {
    metrics?.skippedRecords(skipped.topic, 'deserialize', 1);
    let state = perTopic.get(skipped.topic);
    if (!state) {
      state = { lastLogMs: -Infinity, sinceLog: 0, total: 0 };
      perTopic.set(skipped.topic, state);
    }
    state.sinceLog++;
    state.total++;
    const at = now();
    if (at - state.lastLogMs < intervalMs) return;
    const error = skipped.error instanceof Error ? skipped.error : new Error(String(skipped.error));
    logger.warn('records that do not deserialize were skipped (source onError: skip)', {
      topic: skipped.topic,
      partition: skipped.partition,
      offset: skipped.offset,
      skipped: state.sinceLog,
      total: state.total,
      error: `${error.name}: ${error.message.slice(0, 300)}`,
    });
    state.lastLogMs = at;
    state.sinceLog = 0;
  };
}
