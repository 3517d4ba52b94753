import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LoadedManifest } from '../../core/scoring/model-manifest';
import type { ScoreResult, TensorData } from '../../core/scoring/scoring-service';
import type { ScoringBackend } from './scoring-backend';
import type { FromWorker, ToWorker } from './internal/scoring-worker';
import { ConfigError } from '../../core/errors';
import { ModelRunError, WorkerUnavailableError } from '../../core/scoring/scoring-errors';
import { InlineSessions } from './internal/inline-sessions';

/** Options of the local pool of scoring threads. */
export interface LocalPoolOptions {
  /**
   * Worker threads, each with its own ONNX session per model. 0: one session per model on the
   * calling thread, with no thread hop; a batch then holds the event loop while it runs
   * (for a process that only serves inference, such as `tributary worker --workers 0`).
   */
  readonly workers: number;
  /** Execution providers in order of preference, e.g. ['cuda', 'cpu']; the first that loads is used. */
  readonly providers: readonly string[];
  /** ONNX intra-op threads per session (default: ONNX runtime's choice). */
  readonly intraOpThreads?: number;
  /** Rows of the second warm-up batch (the first has one row). */
  readonly warmupRows?: number;
  /** Batches sent to one worker before it answers (the next is queued while one runs). */
  readonly perWorkerInFlight?: number;
  /** Where lines about providers and replaced workers go (default: stderr). */
  readonly log?: (line: string) => void;
}

/**
 * Lifecycle of one worker thread:
 *
 *   starting ──loaded──▶ ready ──exit/error──▶ dead ──▶ (replaced by a new starting worker)
 *       └────────────────exit/error─────────────▶ dead
 */
type WorkerState = 'starting' | 'ready' | 'dead';
const transitions: Record<WorkerState, readonly WorkerState[]> = { starting: ['ready', 'dead'], ready: ['dead'], dead: [] };

interface Job {
  resolve(value: FromWorker): void;
  reject(error: unknown): void;
}

class PoolWorker {
  state: WorkerState = 'starting';
  readonly jobs = new Map<number, Job>();
  readonly providers = new Map<string, string>();
  /** The thread has ended (its 'exit' event came). */
  exited = false;

  constructor(readonly index: number, readonly thread: Worker) {
    thread.once('exit', () => { this.exited = true; });
  }

  moveTo(next: WorkerState): void {
    if (!transitions[this.state].includes(next)) throw new Error(`scoring worker ${this.index}: ${this.state} → ${next} is not allowed`);
    this.state = next;
  }
}

const workerScript = path.join(__dirname, 'internal', 'scoring-worker.js');

/**
 * A pool of `worker_threads`, each holding an `onnxruntime-node` session per
 * model. Batches go to the least busy ready worker with their buffers
 * transferred, not copied. A worker that dies is replaced (the new one loads
 * every model before it serves) and its batches fail with a retriable error,
 * which the batcher answers by rebuilding and resending them.
 */
export class LocalWorkerPool implements ScoringBackend {
  readonly kind = 'local' as const;
  private readonly workers: PoolWorker[] = [];
  private readonly models = new Map<string, LoadedManifest>();
  private readonly waiting: Array<() => void> = [];
  private nextId = 1;
  private closing = false;
  /** The sessions of `workers: 0`, on the calling thread. */
  private inline?: InlineSessions;
  /** Workers replaced after a crash since start. */
  replaced = 0;

  private constructor(private readonly options: LocalPoolOptions) {}

  /** Starts the workers and loads every model in each; fails (ConfigError) if a model cannot load. */
  static async start(models: readonly LoadedManifest[], options: LocalPoolOptions): Promise<LocalWorkerPool> {
    if (!(Number.isInteger(options.workers) && options.workers >= 0) || options.providers.length === 0) throw new ConfigError('local scoring pool needs workers ≥ 0 and at least one execution provider');
    const pool = new LocalWorkerPool(options);
    for (const m of models) pool.models.set(m.manifest.name, m);
    if (options.workers === 0) {
      try {
        pool.inline = await InlineSessions.open(models, options.providers, options);
      } catch (err) {
        throw new ConfigError((err as Error).message, undefined, { cause: err });
      }
      for (const m of models) pool.log(`model ${m.manifest.name} v${m.manifest.version} runs on execution provider '${pool.inline.providersInUse(m.manifest.name)[0]}' on the event-loop thread`);
      return pool;
    }
    try {
      await Promise.all(Array.from({ length: options.workers }, (_, i) => pool.spawn(i)));
    } catch (err) {
      await pool.close();
      throw new ConfigError((err as Error).message, undefined, { cause: err });
    }
    return pool;
  }

  /** The execution provider each ready worker uses for `model`. */
  providersInUse(model: string): string[] {
    if (this.inline) return this.inline.providersInUse(model);
    return this.workers.filter((w) => w.state === 'ready').map((w) => w.providers.get(model) ?? '?');
  }

  /** Loads a new version of a model in every worker; each swaps after warm-up, batches in flight finish on the old one. */
  async reload(loaded: LoadedManifest): Promise<void> {
    this.models.set(loaded.manifest.name, loaded);
    if (this.inline) {
      await this.inline.reload(loaded);
      return;
    }
    await Promise.all(this.workers.filter((w) => w.state !== 'dead').map((w) => this.load(w, loaded)));
  }

  async run(model: string, inputs: Record<string, TensorData>): Promise<ScoreResult> {
    if (this.closing) throw new WorkerUnavailableError('the local scoring pool is closed');
    if (this.inline) return this.inline.run(model, inputs);
    const worker = await this.pickWorker();
    const transfer = [...new Set(Object.values(inputs).map((t) => t.data.buffer))]
      .filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
    const reply = await this.send(worker, { type: 'run', id: 0, model, inputs }, transfer);
    if (reply.type === 'failed') throw new ModelRunError(`model '${model}' failed in scoring worker ${worker.index}: ${reply.message}`);
    if (reply.type !== 'result') throw new Error(`unexpected reply ${reply.type}`);
    return { modelVersion: reply.version, outputs: reply.outputs };
  }

  /** Ends a worker thread as a crash would (exit code 1; for chaos drills and tests): its batches are retried elsewhere. */
  async killWorker(index: number): Promise<void> {
    const w = this.workers[index];
    if (w) await this.endThread(w, 'crash');
  }

  /** Lets every worker finish the batch it runs, then ends the threads. */
  async close(): Promise<void> {
    this.closing = true;
    await this.inline?.close();
    await Promise.all(this.workers.map((w) => this.endThread(w, 'close')));
  }

  /**
   * Asks a thread to end itself (see scoring-worker.ts: terminate() during a session.run
   * can abort the process); terminate() only if it has not ended within 10 s.
   */
  private async endThread(w: PoolWorker, how: 'close' | 'crash'): Promise<void> {
    if (w.exited) return;
    const exited = new Promise<void>((resolve) => w.thread.once('exit', () => resolve()));
    w.thread.postMessage({ type: how, id: 0 } satisfies ToWorker);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), 10_000); });
    if (await Promise.race([exited, late]) === 'late') await w.thread.terminate();
    clearTimeout(timer);
  }

  private async spawn(index: number): Promise<void> {
    // The workers' own env var ORT options stay as the process has them.
    const w = new PoolWorker(index, new Worker(workerScript));
    this.workers[index] = w;
    w.thread.on('message', (msg: FromWorker) => {
      const job = w.jobs.get(msg.id);
      w.jobs.delete(msg.id);
      job?.resolve(msg);
      this.wake();
    });
    const died = (reason: string): void => {
      if (w.state === 'dead') return;
      w.moveTo('dead');
      for (const job of w.jobs.values()) job.reject(new WorkerUnavailableError(`scoring worker ${index} ${reason}`));
      w.jobs.clear();
      if (this.closing) return;
      this.replaced++;
      this.log(`scoring worker ${index} ${reason}; starting a replacement`);
      this.spawn(index).catch((err: Error) => this.log(`scoring worker ${index} replacement failed: ${err.message}`));
    };
    w.thread.on('error', (err) => died(`crashed: ${err.message}`));
    w.thread.on('exit', (code) => died(`exited with code ${code}`));
    try {
      for (const m of this.models.values()) await this.load(w, m);
    } catch (err) {
      // A worker that cannot load its models must not linger as 'starting' and hold batches back.
      if (w.state !== 'dead') w.moveTo('dead');
      await w.thread.terminate();
      this.wake();
      throw err;
    }
    if (w.state === 'starting') {
      w.moveTo('ready');
      this.wake();
    }
  }

  private async load(w: PoolWorker, loaded: LoadedManifest): Promise<void> {
    const reply = await this.send(w, { type: 'load', id: 0, loaded, providers: [...this.options.providers], intraOpThreads: this.options.intraOpThreads, warmupRows: this.options.warmupRows }, []);
    if (reply.type === 'failed') throw new Error(reply.message);
    if (reply.type !== 'loaded') throw new Error(`unexpected reply ${reply.type}`);
    if (w.providers.get(loaded.manifest.name) !== reply.provider) {
      this.log(`scoring worker ${w.index}: model ${loaded.manifest.name} v${reply.version} runs on execution provider '${reply.provider}'`);
    }
    w.providers.set(loaded.manifest.name, reply.provider);
  }

  private send(w: PoolWorker, msg: ToWorker, transfer: ArrayBuffer[]): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      if (w.state === 'dead') {
        reject(new WorkerUnavailableError(`scoring worker ${w.index} is not running`));
        return;
      }
      const id = this.nextId++;
      w.jobs.set(id, { resolve, reject });
      w.thread.postMessage({ ...msg, id }, transfer);
    });
  }

  private async pickWorker(): Promise<PoolWorker> {
    const limit = this.options.perWorkerInFlight ?? 2;
    for (;;) {
      if (this.closing) throw new WorkerUnavailableError('the local scoring pool is closed');
      if (!this.workers.some((w) => w.state !== 'dead')) throw new WorkerUnavailableError('no local scoring worker is running (replacements failed to load; see the log)');
      let best: PoolWorker | undefined;
      for (const w of this.workers) {
        if (w.state === 'ready' && w.jobs.size < limit && (!best || w.jobs.size < best.jobs.size)) best = w;
      }
      if (best) return best;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private wake(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }

  private log(line: string): void {
    (this.options.log ?? ((l: string) => process.stderr.write(`tributary: ${l}\n`)))(line);
  }
}
