/**
 * What the `score` operator needs from the scoring pool: named input tensors
 * in, named output tensors out. Implementations batch requests from all
 * records and tasks of the process (dynamic batching) before running a model.
 */
export interface TensorData {
  readonly type: 'float32' | 'int64' | 'int32' | 'bool';
  readonly dims: readonly number[];
  readonly data: Float32Array | BigInt64Array | Int32Array | Uint8Array;
}

export interface ScoreRequest {
  readonly model: string;
  readonly inputs: Readonly<Record<string, TensorData>>;
}

export interface ScoreResult {
  /** Version of the model that produced these outputs (outputs are tagged with it). */
  readonly modelVersion: string;
  readonly outputs: Readonly<Record<string, TensorData>>;
}

export interface ScoringService {
  score(request: ScoreRequest): Promise<ScoreResult>;
  close(): Promise<void>;
}
