import type { LoadedManifest } from '../../core/scoring/model-manifest';
import type { ScoreResult, TensorData } from '../../core/scoring/scoring-service';
import type { ScoringBackend } from './scoring-backend';
import { checkModelAgainstManifest } from './model-check';
import { ConfigError } from '../../core/errors';
import { ModelRunError, WorkerUnavailableError } from '../../core/scoring/scoring-errors';
import { RemoteCallError, type InferenceClient } from './internal/inference-client';
import { KserveGrpcClient } from './internal/kserve-grpc-client';
import { KserveHttpClient } from './internal/kserve-http-client';

/** Remote Open Inference Protocol endpoints and how to treat them. */
export interface RemotePoolOptions {
  /** `http://host:port` (REST, binary tensors) or `grpc://host:port`; Tributary workers, Triton, KServe or MLServer. */
  readonly endpoints: readonly string[];
  /** Time one call may take before it is tried on another endpoint (default 2000 ms). */
  readonly timeoutMs?: number;
  /** How long an endpoint that failed is left out before it gets traffic again (default 5000 ms). */
  readonly ejectMs?: number;
  /** Compare each endpoint's model metadata with the manifest at start (default true). */
  readonly checkMetadata?: boolean;
}

interface Endpoint {
  readonly client: InferenceClient;
  inFlight: number;
  /** Left out of routing until this time (ms since epoch). */
  ejectedUntil: number;
  failures: number;
  lastError?: string;
}

/**
 * Spreads batches over remote inference endpoints: least busy first, an
 * endpoint that times out or refuses connections is left out for `ejectMs`
 * and the batch goes to the next one. When every endpoint fails the error is
 * retriable, so the pool can fall back to local workers.
 */
export class RemoteWorkerPool implements ScoringBackend {
  readonly kind = 'remote' as const;
  private readonly endpoints: Endpoint[];
  private readonly outputs = new Map<string, string[]>();
  private cursor = 0;

  private constructor(private readonly options: RemotePoolOptions) {
    this.endpoints = options.endpoints.map((address) => ({
      client: address.startsWith('grpc://') ? new KserveGrpcClient(address) : new KserveHttpClient(address),
      inFlight: 0, ejectedUntil: 0, failures: 0,
    }));
  }

  /**
   * Connects to the endpoints and, where one answers, checks its model
   * metadata against each manifest (ConfigError on a mismatch). Endpoints
   * that do not answer yet are not an error: the fleet may start later.
   */
  static async start(models: readonly LoadedManifest[], options: RemotePoolOptions): Promise<RemoteWorkerPool> {
    if (options.endpoints.length === 0) throw new ConfigError('remote scoring: no endpoints given');
    for (const e of options.endpoints) {
      if (!/^(https?|grpc):\/\/[^/]+/.test(e)) throw new ConfigError(`remote scoring endpoint '${e}' must look like http://host:port or grpc://host:port`);
    }
    const pool = new RemoteWorkerPool(options);
    for (const m of models) pool.outputs.set(m.manifest.name, m.manifest.outputs.map((o) => o.name));
    if (options.checkMetadata !== false) {
      for (const m of models) {
        for (const e of pool.endpoints) {
          let meta;
          try {
            meta = await e.client.modelMetadata(m.manifest.name, pool.timeoutMs);
          } catch (err) {
            if (err instanceof RemoteCallError && err.unreachable) continue;
            await pool.close();
            throw new ConfigError(`remote scoring endpoint ${e.client.address} does not serve model '${m.manifest.name}': ${(err as Error).message}`);
          }
          const problems = checkModelAgainstManifest(m.manifest, meta.inputs, meta.outputs);
          if (problems.length > 0) {
            await pool.close();
            throw new ConfigError(`model '${m.manifest.name}' at ${e.client.address} does not match ${m.manifestPath}: ${problems.join('; ')}`);
          }
        }
      }
    }
    return pool;
  }

  get endpointCount(): number {
    return this.endpoints.length;
  }

  /** Per-endpoint state, for metrics and tests. */
  endpointStates(): Array<{ address: string; inFlight: number; ejected: boolean; failures: number }> {
    const now = Date.now();
    return this.endpoints.map((e) => ({ address: e.client.address, inFlight: e.inFlight, ejected: e.ejectedUntil > now, failures: e.failures }));
  }

  async run(model: string, inputs: Record<string, TensorData>): Promise<ScoreResult> {
    const outputs = this.outputs.get(model) ?? [];
    const tried = new Set<Endpoint>();
    const errors: string[] = [];
    for (;;) {
      const e = this.pick(tried);
      if (!e) {
        const recent = this.endpoints.map((x) => x.lastError).filter((m) => m !== undefined);
        throw new WorkerUnavailableError(`no remote scoring endpoint answered for model '${model}': ${errors.join('; ') || `all are left out after recent failures (${recent.join('; ')})`}`);
      }
      tried.add(e);
      e.inFlight++;
      try {
        const result = await e.client.infer(model, inputs, outputs, this.timeoutMs);
        e.failures = 0;
        return result;
      } catch (err) {
        if (!(err instanceof RemoteCallError) || !err.unreachable) throw new ModelRunError(`model '${model}' failed at ${e.client.address}: ${(err as Error).message}`, { cause: err });
        e.failures++;
        e.lastError = err.message;
        e.ejectedUntil = Date.now() + (this.options.ejectMs ?? 5000);
        errors.push(err.message);
      } finally {
        e.inFlight--;
      }
    }
  }

  async close(): Promise<void> {
    for (const e of this.endpoints) e.client.close();
  }

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? 2000;
  }

  /** Least busy endpoint not tried yet and not left out (rotating the start so ties spread). */
  private pick(tried: ReadonlySet<Endpoint>): Endpoint | undefined {
    const now = Date.now();
    const n = this.endpoints.length;
    let best: Endpoint | undefined;
    for (let k = 0; k < n; k++) {
      const e = this.endpoints[(this.cursor + k) % n];
      if (tried.has(e) || e.ejectedUntil > now) continue;
      if (!best || e.inFlight < best.inFlight) best = e;
    }
    this.cursor = (this.cursor + 1) % n;
    return best;
  }
}
