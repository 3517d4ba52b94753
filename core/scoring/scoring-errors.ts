import { TributaryError, TransientError } from '../errors';

/** A score request that does not match the model's manifest (names, dtypes, dims): a bug in the caller, not retriable. */
export class ScoreRequestError extends TributaryError {
  readonly retriable = false;
}

/** A scoring worker (thread or remote endpoint) died or stopped answering while it held a batch: another worker may succeed. */
export class WorkerUnavailableError extends TransientError {}

/** The model itself failed on a batch (ONNX runtime error): retrying the same inputs will not help. */
export class ModelRunError extends TributaryError {
  readonly retriable = false;
}

/**
 * The batching queue holds as many rows as it may: the request was refused at once instead of waiting
 * without bound. Another endpoint (or this one, a little later) may serve it.
 */
export class ScoringOverloadedError extends TransientError {}
