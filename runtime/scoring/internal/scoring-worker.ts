import { parentPort } from 'node:worker_threads';
import type { LoadedManifest } from '../model-manifest';
import type { TensorData } from '../scoring-service';
import { openModelVersion, runSession, type OnnxModelVersion } from './onnx-session';

/** Messages from the pool to a worker thread. */
export type ToWorker =
  | { type: 'load'; id: number; loaded: LoadedManifest; providers: string[]; intraOpThreads?: number; warmupRows?: number }
  | { type: 'run'; id: number; model: string; inputs: Record<string, TensorData> };

/** Messages from a worker thread to the pool. */
export type FromWorker =
  | { type: 'loaded'; id: number; version: string; provider: string }
  | { type: 'result'; id: number; version: string; outputs: Record<string, TensorData> }
  | { type: 'failed'; id: number; message: string };

const current = new Map<string, OnnxModelVersion>();
const port = parentPort!;

function release(v: OnnxModelVersion): void {
  if (v.retired && v.running === 0) void v.session.release();
}

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'load') {
    openModelVersion(msg.loaded, msg.providers, msg).then(
      (v) => {
        // Swap only after warm-up; batches already running keep the old session until they end.
        const old = current.get(msg.loaded.manifest.name);
        current.set(msg.loaded.manifest.name, v);
        if (old && old !== v) {
          old.retired = true;
          release(old);
        }
        port.postMessage({ type: 'loaded', id: msg.id, version: v.version, provider: v.provider } satisfies FromWorker);
      },
      (err: Error) => port.postMessage({ type: 'failed', id: msg.id, message: err.message } satisfies FromWorker),
    );
    return;
  }
  const v = current.get(msg.model);
  if (!v) {
    port.postMessage({ type: 'failed', id: msg.id, message: `model '${msg.model}' is not loaded in this worker` } satisfies FromWorker);
    return;
  }
  v.running++;
  runSession(v.session, msg.inputs).then(
    (outputs) => {
      const transfer = Object.values(outputs).map((t) => t.data.buffer as ArrayBuffer);
      port.postMessage({ type: 'result', id: msg.id, version: v.version, outputs } satisfies FromWorker, transfer);
    },
    (err: Error) => port.postMessage({ type: 'failed', id: msg.id, message: err.message } satisfies FromWorker),
  ).finally(() => {
    v.running--;
    release(v);
  });
});
