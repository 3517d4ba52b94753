import type { LoadedManifest } from '../../../core/scoring/model-manifest';
import type { ScoreResult, TensorData } from '../../../core/scoring/scoring-service';
import { ModelRunError } from '../../../core/scoring/scoring-errors';
import { openModelVersion, runSession, type OnnxModelVersion } from './onnx-session';

/**
 * ONNX sessions run on the calling (event-loop) thread: `LocalWorkerPool` with `workers: 0`.
 * onnxruntime-node's `session.run` is synchronous, so a batch holds the event loop while it runs;
 * in exchange there is no thread hop (no postMessage, no transfer, no wake-up of another thread),
 * which on a `tributary worker` that only serves inference is most of what a request costs besides
 * the model (see docs/scoring.md, "Remote scoring speed").
 */
export class InlineSessions {
  private readonly current = new Map<string, OnnxModelVersion>();

  private constructor(private readonly providers: readonly string[], private readonly options: { intraOpThreads?: number; warmupRows?: number }) {}

  static async open(models: readonly LoadedManifest[], providers: readonly string[], options: { intraOpThreads?: number; warmupRows?: number }): Promise<InlineSessions> {
    const sessions = new InlineSessions(providers, options);
    try {
      for (const m of models) await sessions.reload(m);
    } catch (err) {
      await sessions.close();
      throw err;
    }
    return sessions;
  }

  /** Loads and warms up a version, then swaps it in; a batch running on the old one finishes on it. */
  async reload(loaded: LoadedManifest): Promise<OnnxModelVersion> {
    const next = await openModelVersion(loaded, this.providers, this.options);
    const old = this.current.get(loaded.manifest.name);
    this.current.set(loaded.manifest.name, next);
    if (old) {
      old.retired = true;
      if (old.running === 0) await old.session.release();
    }
    return next;
  }

  providersInUse(model: string): string[] {
    const v = this.current.get(model);
    return v ? [v.provider] : [];
  }

  async run(model: string, inputs: Record<string, TensorData>): Promise<ScoreResult> {
    const v = this.current.get(model);
    if (!v) throw new ModelRunError(`model '${model}' is not loaded`);
    v.running++;
    try {
      return { modelVersion: v.version, outputs: await runSession(v.session, inputs) };
    } catch (err) {
      throw new ModelRunError(`model '${model}' failed: ${(err as Error).message}`, { cause: err });
    } finally {
      v.running--;
      if (v.retired && v.running === 0) void v.session.release();
    }
  }

  async close(): Promise<void> {
    const versions = [...this.current.values()];
    this.current.clear();
    await Promise.all(versions.map((v) => v.session.release()));
  }
}
