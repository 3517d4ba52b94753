import * as ort from 'onnxruntime-node';
import type { TensorData } from '../../../core/scoring/scoring-service';
import type { LoadedManifest } from '../../../core/scoring/model-manifest';
import { checkModelAgainstManifest } from '../model-check';
import { warmupInputs } from './warmup-inputs';

/** One loaded model version: its session, the provider that took it, and batches running on it. */
export interface OnnxModelVersion {
  readonly version: string;
  readonly provider: string;
  readonly session: ort.InferenceSession;
  running: number;
  retired: boolean;
}

/**
 * Opens a model with the first execution provider in `providers` that
 * accepts it (e.g. cuda, then cpu), checks it against the manifest and runs
 * warm-up batches. Throws an Error whose message lists what went wrong.
 */
export async function openModelVersion(loaded: LoadedManifest, providers: readonly string[], options: { intraOpThreads?: number; warmupRows?: number } = {}): Promise<OnnxModelVersion> {
  const failures: string[] = [];
  for (const provider of providers) {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(loaded.modelPath, {
        executionProviders: [provider],
        graphOptimizationLevel: 'all',
        ...(options.intraOpThreads !== undefined ? { intraOpNumThreads: options.intraOpThreads } : {}),
      });
    } catch (err) {
      failures.push(`${provider}: ${(err as Error).message.split('\n')[0]}`);
      continue;
    }
    const declared = (list: readonly ort.InferenceSession.ValueMetadata[]) =>
      list.map((m) => ({ name: m.name, type: m.isTensor ? m.type : 'non-tensor', shape: m.isTensor ? m.shape : [] }));
    const problems = checkModelAgainstManifest(loaded.manifest, declared(session.inputMetadata), declared(session.outputMetadata));
    if (problems.length > 0) {
      await session.release();
      throw new Error(`model ${loaded.modelPath} does not match ${loaded.manifestPath}: ${problems.join('; ')}`);
    }
    const rows = options.warmupRows ?? 8;
    for (const n of [1, rows]) await runSession(session, warmupInputs(loaded.manifest, n));
    return { version: loaded.manifest.version, provider, session, running: 0, retired: false };
  }
  throw new Error(`model ${loaded.modelPath} could not be loaded by any execution provider (${failures.join('; ')})`);
}

/** Runs a session on plain tensors and returns plain tensors whose buffers the caller owns. */
export async function runSession(session: ort.InferenceSession, inputs: Readonly<Record<string, TensorData>>): Promise<Record<string, TensorData>> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(inputs)) feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
  const results = await session.run(feeds);
  const outputs: Record<string, TensorData> = {};
  for (const [name, t] of Object.entries(results)) {
    let data = t.data as TensorData['data'];
    // A view into a larger buffer cannot be transferred without detaching its neighbours.
    if (data.byteOffset !== 0 || data.byteLength !== data.buffer.byteLength) data = data.slice() as TensorData['data'];
    outputs[name] = { type: t.type as TensorData['type'], dims: [...t.dims], data };
  }
  return outputs;
}
