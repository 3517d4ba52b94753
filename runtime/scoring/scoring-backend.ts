import type { ScoreResult, TensorData } from '../../core/scoring/scoring-service';

/**
 * Something that runs one already-merged batch of a loaded model: the local
 * worker-thread pool or the pool of remote Open Inference Protocol endpoints.
 * The input buffers may be transferred away (the caller keeps no use of them).
 * Failures a different worker may not have are `retriable`.
 */
export interface ScoringBackend {
  readonly kind: 'local' | 'remote';
  run(model: string, inputs: Record<string, TensorData>): Promise<ScoreResult>;
  close(): Promise<void>;
}
