import { parentPort } from 'node:worker_threads';
import type { LoadedManifest } from '../../../core/scoring/model-manifest';
import type { TensorData } from '../../../core/scoring/scoring-service';
import { openModelVersion, runSession, type OnnxModelVersion } from './onnx-session';

/** Messages from the pool to a worker thread. */
export type ToWorker =
  | { type: 'load'; id: number; loaded: LoadedManifest; providers: string[]; intraOpThreads?: number; warmupRows?: number }
  | { type: 'run'; id: number; model: string; inputs: Record<string, TensorData> }
  /** End the thread once no batch runs. */
  | { type: 'close'; id: number }
  /** End the thread at once with exit code 1 (drills and tests). */
  | { type: 'crash'; id: number };

/** Messages from a worker thread to the pool. */
export type FromWorker =
  | { type: 'loaded'; id: number; version: string; provider: string }
  | { type: 'result'; id: number; version: string; outputs: Record<string, TensorData> }
  | { type: 'failed'; id: number; message: string };

const current = new Map<string, OnnxModelVersion>();
const port = parentPort!;
let running = 0;
let closing = false;

/*
 * The thread ends itself, from JavaScript, never by Worker.terminate() from outside:
 * terminating a thread while onnxruntime-node is inside a (synchronous) session.run makes
 * the binding throw a C++ exception that aborts the whole process (seen in about 1 run
 * in 20 of the pool's crash test).
 */
function exitWhenIdle(): void {
  if (closing && running === 0) process.exit(0);
}

function release(v: OnnxModelVersion): void {
  if (v.retired && v.running === 0) void v.session.release();
}

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'crash') {
    process.exit(1);
    return;
  }
  if (msg.type === 'close') {
    closing = true;
    exitWhenIdle();
    return;
  }
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
  running++;
  runSession(v.session, msg.inputs).then(
    (outputs) => {
      const transfer = Object.values(outputs).map((t) => t.data.buffer as ArrayBuffer);
      port.postMessage({ type: 'result', id: msg.id, version: v.version, outputs } satisfies FromWorker, transfer);
    },
    (err: Error) => port.postMessage({ type: 'failed', id: msg.id, message: err.message } satisfies FromWorker),
  ).finally(() => {
    v.running--;
    running--;
    release(v);
    exitWhenIdle();
  });
});
