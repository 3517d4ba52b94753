/** A count and the total time of what it counts, in nanoseconds (Triton's StatisticDuration). */
export interface StatisticDuration {
  count: number;
  ns: number;
}

/** The statistics of one batch size: how often it ran and what its phases took. */
export interface BatchSizeStatistics {
  readonly batchSize: number;
  readonly computeInput: StatisticDuration;
  readonly computeInfer: StatisticDuration;
  readonly computeOutput: StatisticDuration;
}

/**
 * A model's statistics as Triton keeps them (`/v2/models/{m}/stats`): per request, success or
 * failure with its whole time, the time it waited in the queue, and the compute phases of the
 * batch it ran in (merging inputs, running the model, cutting outputs apart); per batch, the rows
 * it held. `inferenceCount` counts rows, `executionCount` batches, so their ratio is the mean batch.
 */
export interface InferenceStatisticsSnapshot {
  /** When the last request finished, in ms since the epoch (0: none yet). */
  readonly lastInference: number;
  readonly inferenceCount: number;
  readonly executionCount: number;
  readonly success: StatisticDuration;
  readonly fail: StatisticDuration;
  readonly queue: StatisticDuration;
  readonly computeInput: StatisticDuration;
  readonly computeInfer: StatisticDuration;
  readonly computeOutput: StatisticDuration;
  /** One entry per batch size (rows) seen, smallest first. */
  readonly batches: readonly BatchSizeStatistics[];
}

const msToNs = (ms: number): number => Math.round(ms * 1e6);
const zero = (): StatisticDuration => ({ count: 0, ns: 0 });
const copy = (d: StatisticDuration): StatisticDuration => ({ count: d.count, ns: d.ns });

/** Counters behind `InferenceStatisticsSnapshot`; the batcher feeds them, the server reads them. */
export class InferenceStatistics {
  private lastInference = 0;
  private inferenceCount = 0;
  private executionCount = 0;
  private readonly success = zero();
  private readonly fail = zero();
  private readonly queue = zero();
  private readonly computeInput = zero();
  private readonly computeInfer = zero();
  private readonly computeOutput = zero();
  private readonly bySize = new Map<number, { computeInput: StatisticDuration; computeInfer: StatisticDuration; computeOutput: StatisticDuration }>();

  /** A request has been answered (`ok`) or failed, `ms` after it was submitted. */
  request(ok: boolean, ms: number): void {
    const d = ok ? this.success : this.fail;
    d.count++;
    d.ns += msToNs(ms);
    this.lastInference = Date.now();
  }

  /** A request (or a part of a request cut to the batch limit) left the queue after `ms`. */
  queued(ms: number): void {
    this.queue.count++;
    this.queue.ns += msToNs(ms);
  }

  /**
   * A batch of `rows` rows from `requests` queue entries ran: its phases' times count once for
   * the batch size and once for each request in it, as Triton counts a request's compute time.
   */
  batch(rows: number, requests: number, phasesMs: { input: number; infer: number; output: number }): void {
    this.inferenceCount += rows;
    this.executionCount++;
    let size = this.bySize.get(rows);
    if (!size) {
      size = { computeInput: zero(), computeInfer: zero(), computeOutput: zero() };
      this.bySize.set(rows, size);
    }
    const add = (total: StatisticDuration, one: StatisticDuration, ms: number): void => {
      const ns = msToNs(ms);
      total.count += requests;
      total.ns += ns * requests;
      one.count++;
      one.ns += ns;
    };
    add(this.computeInput, size.computeInput, phasesMs.input);
    add(this.computeInfer, size.computeInfer, phasesMs.infer);
    add(this.computeOutput, size.computeOutput, phasesMs.output);
  }

  snapshot(): InferenceStatisticsSnapshot {
    return {
      lastInference: this.lastInference,
      inferenceCount: this.inferenceCount,
      executionCount: this.executionCount,
      success: copy(this.success),
      fail: copy(this.fail),
      queue: copy(this.queue),
      computeInput: copy(this.computeInput),
      computeInfer: copy(this.computeInfer),
      computeOutput: copy(this.computeOutput),
      batches: [...this.bySize].sort((a, b) => a[0] - b[0]).map(([batchSize, s]) => ({
        batchSize, computeInput: copy(s.computeInput), computeInfer: copy(s.computeInfer), computeOutput: copy(s.computeOutput),
      })),
    };
  }
}
