import * as fs from 'node:fs';
import type { Meter } from '@opentelemetry/api';
import type { ScoreRequest, ScoreResult, ScoringService, TensorData } from '../../core/scoring/scoring-service';
import type { ScoringBackend } from './scoring-backend';
import { loadModelManifest, type LoadedManifest } from '../../core/scoring/model-manifest';
import { DynamicBatcher, type BatchEvent, type BatchingOptions } from './dynamic-batcher';
import type { InferenceStatisticsSnapshot } from './internal/inference-statistics';
import { LocalWorkerPool, type LocalPoolOptions } from './local-worker-pool';
import { RemoteWorkerPool, type RemotePoolOptions } from './remote-worker-pool';
import { BatchLayout } from './internal/batch-layout';
import { ScoringMetrics } from './internal/scoring-metrics';
import { ConfigError } from '../../core/errors';
import { ScoreRequestError } from '../../core/scoring/scoring-errors';
import { canRetry } from '../../core/failure';

/** Configuration of the process's scoring pool. */
export interface ScoringPoolConfig {
  /** Model folders, each with `manifest.json` and the `.onnx` file it names. */
  readonly models: readonly string[];
  readonly batching?: Partial<BatchingOptions>;
  /** Local worker threads; with `remote`, they serve only when every endpoint fails. */
  readonly local?: LocalPoolOptions;
  /** Remote Open Inference Protocol endpoints (Tributary workers, Triton, KServe, MLServer). */
  readonly remote?: RemotePoolOptions;
  /** How often to look for a new model version in the model folders (ms; 0 = never). */
  readonly reloadPollMs?: number;
  /** Sees every batch (metrics are recorded anyway). */
  readonly onBatch?: (model: string, event: BatchEvent) => void;
  readonly log?: (line: string) => void;
  /** Meter for the pool's instruments (default: the global OpenTelemetry meter 'tributary.scoring'). */
  readonly meter?: Meter;
}

/**
 * Defaults: 256 rows, no delay (batch what is waiting, as Triton does by default), 3 tries; in
 * flight: two batches per local worker, eight per remote endpoint.
 */
export const defaultBatching = { maxBatchRows: 256, maxDelayMs: 0, maxAttempts: 3 } as const;

/** How a model is served here: what Triton's model configuration says about batching and instances. */
export interface ModelServing {
  readonly batching: BatchingOptions;
  /** Local worker threads holding a session of the model (0: remote endpoints only). */
  readonly instances: number;
  /** Execution provider of the local sessions ('cpu', 'cuda', ...; 'remote' with no local workers). */
  readonly provider: string;
}

interface ModelEntry {
  loaded: LoadedManifest;
  batcher: DynamicBatcher;
  mtimeMs: number;
}

/**
 * The scoring service of a process: a dynamic batcher per model in front of
 * local worker threads and/or remote inference endpoints, with hot reload of
 * new model versions. Every model is loaded, checked against its manifest
 * and warmed up before `start` resolves.
 */
export class ScoringPool implements ScoringService {
  private readonly entries = new Map<string, ModelEntry>();
  private readonly metrics: ScoringMetrics;
  private poll?: NodeJS.Timeout;
  private reloading = false;

  private constructor(
    private readonly config: ScoringPoolConfig,
    readonly local: LocalWorkerPool | undefined,
    readonly remote: RemoteWorkerPool | undefined,
  ) {
    this.metrics = new ScoringMetrics(config.meter);
  }

  static async start(config: ScoringPoolConfig): Promise<ScoringPool> {
    if (!config.local && !config.remote) throw new ConfigError('scoring pool: configure local workers, remote endpoints, or both');
    if (config.models.length === 0) throw new ConfigError('scoring pool: no model folders given');
    const manifests = config.models.map((dir) => loadModelManifest(dir));
    const local = config.local ? await LocalWorkerPool.start(manifests, { log: config.log, ...config.local }) : undefined;
    let remote: RemoteWorkerPool | undefined;
    try {
      remote = config.remote ? await RemoteWorkerPool.start(manifests, config.remote) : undefined;
    } catch (err) {
      await local?.close();
      throw err;
    }
    let pool: ScoringPool;
    try {
      pool = new ScoringPool(config, local, remote);
      for (const m of manifests) {
        pool.entries.set(m.manifest.name, { loaded: m, batcher: pool.batcherFor(m), mtimeMs: fs.statSync(m.manifestPath).mtimeMs });
        if (local) pool.metrics.provider(m.manifest.name, 'local', local.providersInUse(m.manifest.name)[0] ?? '?');
        if (remote) pool.metrics.provider(m.manifest.name, 'remote', 'remote');
      }
    } catch (err) {
      // Worker threads keep the process alive: never leave them behind a failed start.
      await Promise.all([local?.close(), remote?.close()]);
      throw err;
    }
    if ((config.reloadPollMs ?? 0) > 0) {
      pool.poll = setInterval(() => void pool.checkForNewVersions(), config.reloadPollMs);
      pool.poll.unref();
    }
    return pool;
  }

  /** Names of the models served. */
  get models(): string[] {
    return [...this.entries.keys()];
  }

  /** Name and current version of the model loaded from a folder. */
  managed(dir: string): { name: string; version: string } {
    const wanted = loadModelManifest(dir).manifestPath;
    for (const entry of this.entries.values()) {
      if (entry.loaded.manifestPath === wanted) return { name: entry.loaded.manifest.name, version: entry.loaded.manifest.version };
    }
    throw new ConfigError(`no model loaded from ${dir}`);
  }

  /** The manifest a model was loaded with (its current version). */
  manifest(model: string): LoadedManifest {
    return this.entry(model).loaded;
  }

  /** Triton-style statistics of the version of `model` served now (a reload starts them afresh, as a new version does in Triton). */
  statistics(model: string): InferenceStatisticsSnapshot & { version: string } {
    const entry = this.entry(model);
    return { version: entry.loaded.manifest.version, ...entry.batcher.statistics.snapshot() };
  }

  /** How `model` is batched and where it runs. */
  serving(model: string): ModelServing {
    const entry = this.entry(model);
    return {
      batching: entry.batcher.batching,
      instances: this.local ? this.local.providersInUse(model).length : 0,
      provider: this.local?.providersInUse(model)[0] ?? 'remote',
    };
  }

  private entry(model: string): ModelEntry {
    const entry = this.entries.get(model);
    if (!entry) throw new ScoreRequestError(`no model '${model}' in the scoring pool (loaded: ${[...this.entries.keys()].join(', ')})`);
    return entry;
  }

  score(request: ScoreRequest): Promise<ScoreResult> {
    const entry = this.entries.get(request.model);
    if (!entry) return Promise.reject(new ScoreRequestError(`no model '${request.model}' in the scoring pool (loaded: ${[...this.entries.keys()].join(', ')})`));
    return entry.batcher.submit(request.inputs);
  }

  /** Looks for a changed manifest version now (also run by the poll timer); resolves when the new version serves. */
  async checkForNewVersions(): Promise<string[]> {
    if (this.reloading) return [];
    this.reloading = true;
    const reloaded: string[] = [];
    try {
      for (const [name, entry] of this.entries) {
        let mtimeMs: number;
        try {
          mtimeMs = fs.statSync(entry.loaded.manifestPath).mtimeMs;
        } catch {
          continue;
        }
        if (mtimeMs === entry.mtimeMs) continue;
        entry.mtimeMs = mtimeMs;
        let next: LoadedManifest;
        try {
          next = loadModelManifest(entry.loaded.dir);
        } catch (err) {
          this.log(`model ${name}: new manifest ignored: ${(err as Error).message}`);
          continue;
        }
        if (next.manifest.version === entry.loaded.manifest.version) continue;
        try {
          await this.local?.reload(next);
        } catch (err) {
          this.log(`model ${name}: version ${next.manifest.version} failed to load, still serving ${entry.loaded.manifest.version}: ${(err as Error).message}`);
          continue;
        }
        // Requests already queued run in the old batcher, which drains by itself; new ones see the new layout.
        entry.loaded = next;
        entry.batcher = this.batcherFor(next);
        reloaded.push(`${name}@${next.manifest.version}`);
        this.log(`model ${name}: now serving version ${next.manifest.version}`);
      }
    } finally {
      this.reloading = false;
    }
    return reloaded;
  }

  async close(): Promise<void> {
    if (this.poll) clearInterval(this.poll);
    for (const entry of this.entries.values()) entry.batcher.close();
    await Promise.all([this.local?.close(), this.remote?.close()]);
  }

  private batcherFor(loaded: LoadedManifest): DynamicBatcher {
    const name = loaded.manifest.name;
    // A remote call spends most of its time on the wire, so each endpoint gets more batches in flight than a thread.
    const lanes = (this.local ? (this.config.local?.workers ?? 1) : 0) + 4 * (this.remote?.endpointCount ?? 0);
    const options: BatchingOptions = { ...defaultBatching, maxInFlight: 2 * Math.max(1, lanes), ...this.config.batching };
    return new DynamicBatcher(new BatchLayout(loaded.manifest), options, (inputs) => this.runBatch(name, inputs), (event) => {
      this.metrics.batch(name, event);
      this.config.onBatch?.(name, event);
    });
  }

  private async runBatch(model: string, inputs: Record<string, TensorData>): Promise<ScoreResult> {
    if (!this.remote) return this.local!.run(model, inputs);
    try {
      return await this.remote.run(model, inputs);
    } catch (err) {
      if (!this.local || !canRetry(err)) throw err;
      return this.local.run(model, inputs);
    }
  }

  private log(line: string): void {
    (this.config.log ?? ((l: string) => process.stderr.write(`tributary: ${l}\n`)))(line);
  }
}

export type { ScoringBackend };
