import type { InferenceStatisticsSnapshot, StatisticDuration } from './inference-statistics';

const empty: StatisticDuration = { count: 0, ns: 0 };

/**
 * One model's entry of Triton's statistics answer (`ModelStatistics` in grpc_service.proto; the
 * HTTP `/v2/models/{m}/stats` JSON has the same fields), from the batcher's counters. There is no
 * response cache here, so its hits and misses stay 0.
 */
export function modelStatistics(name: string, s: InferenceStatisticsSnapshot & { version: string }): Record<string, unknown> {
  return {
    name,
    version: s.version,
    last_inference: s.lastInference,
    inference_count: s.inferenceCount,
    execution_count: s.executionCount,
    inference_stats: {
      success: s.success,
      fail: s.fail,
      queue: s.queue,
      compute_input: s.computeInput,
      compute_infer: s.computeInfer,
      compute_output: s.computeOutput,
      cache_hit: empty,
      cache_miss: empty,
    },
    batch_stats: s.batches.map((b) => ({ batch_size: b.batchSize, compute_input: b.computeInput, compute_infer: b.computeInfer, compute_output: b.computeOutput })),
    memory_usage: [],
  };
}
