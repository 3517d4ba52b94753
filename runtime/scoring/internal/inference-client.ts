import type { ScoreResult, TensorData } from '../../../core/scoring/scoring-service';
import type { DeclaredTensor } from '../model-check';

/** Model metadata as a remote endpoint reports it. */
export interface RemoteModelMetadata {
  readonly versions: readonly string[];
  readonly inputs: readonly DeclaredTensor[];
  readonly outputs: readonly DeclaredTensor[];
}

/** One Open Inference Protocol endpoint, over HTTP or gRPC. */
export interface InferenceClient {
  readonly address: string;
  infer(model: string, inputs: Readonly<Record<string, TensorData>>, outputs: readonly string[], timeoutMs: number): Promise<ScoreResult>;
  modelMetadata(model: string, timeoutMs: number): Promise<RemoteModelMetadata>;
  close(): void;
}

/** What failed on the wire: `unreachable` (retry elsewhere) or the server refused the request. */
export class RemoteCallError extends Error {
  constructor(message: string, readonly unreachable: boolean) {
    super(message);
  }
}
