import type { ScoreResult, TensorData } from '../../core/scoring/scoring-service';
import type { BatchLayout } from './internal/batch-layout';
import { ScoreRequestError, ScoringOverloadedError } from '../../core/scoring/scoring-errors';
import { canRetry } from '../../core/failure';
import { InferenceStatistics } from './internal/inference-statistics';

/** Limits of the dynamic batcher (Triton's dynamic batching: what is waiting leaves together, up to a size). */
export interface BatchingOptions {
  /** Most rows (of the manifest's row dimension) in one batch; larger requests are cut into parts. */
  readonly maxBatchRows: number;
  /**
   * Longest a request waits for others to fill its batch, in milliseconds. 0 (Triton's default,
   * `max_queue_delay_microseconds: 0`): a batch leaves as soon as a lane is free, holding what is
   * waiting by then, so a lone request never waits and batches grow only while every lane is busy.
   */
  readonly maxDelayMs: number;
  /** Batches running at once; while all are busy, requests keep filling the next batch. */
  readonly maxInFlight: number;
  /** Tries per batch when the backend fails with a retriable error (worker crash, endpoint timeout). */
  readonly maxAttempts: number;
  /**
   * Most rows waiting for a batch; a request that would go past it is refused at once with
   * `ScoringOverloadedError` (a request arriving at an empty queue is always taken). Unset: no bound,
   * for in-process pools whose callers are already bounded by the batch-as-unit-of-work rule; a
   * server taking requests from the network sets it.
   */
  readonly maxQueuedRows?: number;
}

/** Runs one merged batch on some backend; its input buffers may be transferred away. */
export type BatchRunner = (inputs: Record<string, TensorData>, rows: number) => Promise<ScoreResult>;

/** What the batcher reports about each batch it sends (for metrics and tests). */
export interface BatchEvent {
  readonly rows: number;
  readonly requests: number;
  readonly attempt: number;
  /** Time the backend took (the batch's compute_infer). */
  readonly durationMs: number;
  readonly error?: unknown;
}

interface Pending {
  readonly inputs: Readonly<Record<string, TensorData>>;
  readonly rows: number;
  readonly enqueuedAt: number;
  resolve(result: ScoreResult): void;
  reject(error: unknown): void;
}

/**
 * Merges score requests from every record and task of the process into
 * batches of at most `maxBatchRows` rows. Requests submitted in one turn of
 * the event loop (a task's records, the HTTP requests read in one poll) are
 * batched together; beyond that a batch waits only when `maxDelayMs` says so.
 * A failed batch whose error is retriable is rebuilt from the callers'
 * tensors (the sent buffers were transferred) and tried again.
 */
export class DynamicBatcher {
  /** Triton-style counters of requests, queue time, batches and their compute phases. */
  readonly statistics = new InferenceStatistics();
  private queue: Pending[] = [];
  private queuedRows = 0;
  private inFlight = 0;
  private timer?: NodeJS.Timeout;
  /** A pump is due at the end of this turn of the event loop (setImmediate). */
  private pumpDue = false;
  private closed = false;

  constructor(
    private readonly layout: BatchLayout,
    private readonly options: BatchingOptions,
    private readonly runner: BatchRunner,
    private readonly onBatch: (event: BatchEvent) => void = () => {},
  ) {
    if (!(options.maxBatchRows >= 1) || !(options.maxDelayMs >= 0) || !(options.maxInFlight >= 1) || !(options.maxAttempts >= 1)
      || (options.maxQueuedRows !== undefined && !(options.maxQueuedRows >= 1))) {
      throw new ScoreRequestError(`batching options need maxBatchRows ≥ 1, maxDelayMs ≥ 0, maxInFlight ≥ 1, maxAttempts ≥ 1, maxQueuedRows ≥ 1 when set (got ${JSON.stringify(options)})`);
    }
  }

  /** The limits this batcher runs with. */
  get batching(): BatchingOptions {
    return this.options;
  }

  /** Scores one request; the promise settles when its batch (or all parts of it) has run. */
  submit(inputs: Readonly<Record<string, TensorData>>): Promise<ScoreResult> {
    const started = performance.now();
    return this.schedule(inputs).then(
      (result) => {
        this.statistics.request(true, performance.now() - started);
        return result;
      },
      (err: unknown) => {
        this.statistics.request(false, performance.now() - started);
        throw err;
      },
    );
  }

  private async schedule(inputs: Readonly<Record<string, TensorData>>): Promise<ScoreResult> {
    if (this.closed) throw new ScoreRequestError('the scoring batcher is closed');
    const rows = this.layout.check(inputs);
    if (rows === 0) throw new ScoreRequestError(`model '${this.layout.manifest.name}': a request needs at least one ${this.layout.manifest.batching.rowDim} row`);
    const limit = this.options.maxQueuedRows;
    if (limit !== undefined && this.queuedRows > 0 && this.queuedRows + rows > limit) {
      throw new ScoringOverloadedError(`model '${this.layout.manifest.name}': the batching queue is full (${this.queuedRows} rows waiting, at most ${limit}); retry later or elsewhere`);
    }
    if (rows <= this.options.maxBatchRows) return this.enqueue(inputs, rows);
    const parts = this.layout.split(inputs, rows, this.options.maxBatchRows);
    const results = await Promise.all(parts.map((p) => this.enqueue(p, p[this.layout.manifest.inputs.find((i) => i.dims[0] === this.layout.manifest.batching.rowDim)!.name].dims[0])));
    const versions = [...new Set(results.map((r) => r.modelVersion))];
    return { modelVersion: versions.join(','), outputs: this.layout.join(results.map((r) => r.outputs)) };
  }

  /** Requests waiting and batches running (for metrics). */
  load(): { queuedRows: number; inFlight: number } {
    return { queuedRows: this.queuedRows, inFlight: this.inFlight };
  }

  /** Fails waiting requests; running batches finish. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const p of this.queue) p.reject(new ScoreRequestError('the scoring batcher closed before the request ran'));
    this.queue = [];
    this.queuedRows = 0;
  }

  private enqueue(inputs: Readonly<Record<string, TensorData>>, rows: number): Promise<ScoreResult> {
    return new Promise<ScoreResult>((resolve, reject) => {
      this.queue.push({ inputs, rows, enqueuedAt: performance.now(), resolve, reject });
      this.queuedRows += rows;
      // Not at once: the other requests of this turn (a burst of records, several sockets read together) join the batch.
      if (!this.pumpDue) {
        this.pumpDue = true;
        setImmediate(() => {
          this.pumpDue = false;
          this.pump();
        });
      }
    });
  }

  private pump(): void {
    while (this.queue.length > 0 && this.inFlight < this.options.maxInFlight) {
      const waited = performance.now() - this.queue[0].enqueuedAt;
      if (this.options.maxDelayMs > 0 && this.queuedRows < this.options.maxBatchRows && waited < this.options.maxDelayMs) break;
      this.dispatch(this.take());
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.options.maxDelayMs > 0 && this.queue.length > 0 && this.inFlight < this.options.maxInFlight) {
      const due = this.queue[0].enqueuedAt + this.options.maxDelayMs - performance.now();
      this.timer = setTimeout(() => this.pump(), Math.max(0, due));
    }
  }

  private take(): Pending[] {
    const batch: Pending[] = [];
    let rows = 0;
    while (this.queue.length > 0 && rows + this.queue[0].rows <= this.options.maxBatchRows) {
      const p = this.queue.shift()!;
      rows += p.rows;
      batch.push(p);
    }
    this.queuedRows -= rows;
    const now = performance.now();
    for (const p of batch) this.statistics.queued(now - p.enqueuedAt);
    return batch;
  }

  private dispatch(batch: Pending[]): void {
    this.inFlight++;
    const rows = batch.reduce((n, p) => n + p.rows, 0);
    const attempt = (n: number): void => {
      const mergeStarted = performance.now();
      let merged: Record<string, TensorData>;
      try {
        merged = this.layout.merge(batch.map((p) => p.inputs));
      } catch (err) {
        this.finish(batch, undefined, err);
        return;
      }
      const started = performance.now();
      this.runner(merged, rows).then(
        (result) => {
          const ran = performance.now();
          this.onBatch({ rows, requests: batch.length, attempt: n, durationMs: ran - started });
          this.finish(batch, result);
          this.statistics.batch(rows, batch.length, { input: started - mergeStarted, infer: ran - started, output: performance.now() - ran });
        },
        (err: unknown) => {
          this.onBatch({ rows, requests: batch.length, attempt: n, durationMs: performance.now() - started, error: err });
          const retriable = canRetry(err);
          if (retriable && n < this.options.maxAttempts && !this.closed) attempt(n + 1);
          else this.finish(batch, undefined, err);
        },
      );
    };
    attempt(1);
  }

  private finish(batch: Pending[], result: ScoreResult | undefined, error?: unknown): void {
    this.inFlight--;
    if (result) {
      const outputs = this.layout.unmerge(result.outputs, batch.map((p) => p.rows));
      batch.forEach((p, i) => p.resolve({ modelVersion: result.modelVersion, outputs: outputs[i] }));
    } else {
      for (const p of batch) p.reject(error);
    }
    this.pump();
  }
}
