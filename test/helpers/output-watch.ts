import type { Kafka } from 'kafkajs';

/** When the output topic first grew and when it reached the expected size. */
export interface OutputWatchResult {
  /** ms since the watch began when the first output appeared (null: never). */
  readonly firstMs: number | null;
  /** ms since the watch began when the expected count was reached (null: not within the timeout). */
  readonly doneMs: number | null;
  readonly finalSpan: number;
}

/** A running watch; `stop` ends it early. */
export interface OutputWatch {
  readonly result: Promise<OutputWatchResult>;
  stop(): void;
}

/**
 * Polls the output topic's offsets (cheap admin calls, no consuming, so the watcher takes
 * almost no CPU from the application being measured) until it spans `expected` offsets. The
 * same outside measurement serves every application under test. Under exactly-once the span
 * also counts commit markers, so `doneMs` can come a few hundred records early; output
 * correctness is checked separately by reading the topic.
 */
export function watchOutput(kafka: Kafka, topic: string, expected: number, opts: { pollMs?: number; timeoutMs?: number } = {}): OutputWatch {
  const pollMs = opts.pollMs ?? 100;
  const timeoutMs = opts.timeoutMs ?? 600_000;
  let stopped = false;
  const result = (async (): Promise<OutputWatchResult> => {
    const admin = kafka.admin();
    await admin.connect();
    const started = Date.now();
    let firstMs: number | null = null;
    let span = 0;
    try {
      while (!stopped && Date.now() - started < timeoutMs) {
        const offsets = await admin.fetchTopicOffsets(topic);
        span = offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
        const now = Date.now() - started;
        if (span > 0 && firstMs === null) firstMs = now;
        if (span >= expected) return { firstMs, doneMs: now, finalSpan: span };
        await new Promise((r) => setTimeout(r, pollMs));
      }
      return { firstMs, doneMs: null, finalSpan: span };
    } finally {
      await admin.disconnect();
    }
  })();
  return { result, stop: () => { stopped = true; } };
}
