import * as http from 'node:http';
import type { ServedPool } from './internal/served-pool';
import { ConfigError } from '../../core/errors';
import { kserveGrpcHandlers } from './internal/kserve-grpc-service';
import { GrpcUnaryServer } from './internal/grpc-unary-server';
import { kserveHttpHandler } from './internal/kserve-http-handler';
import { RequestGate } from './internal/request-gate';
import { defaultMaxRequestBytes } from './inference-server-limits';

/** Where the inference server listens (127.0.0.1 unless told otherwise) and what it accepts. */
export interface InferenceServerOptions {
  readonly host?: string;
  /** HTTP/REST port; 0 picks a free one. */
  readonly httpPort: number;
  /** gRPC port; 0 picks a free one; undefined serves no gRPC. */
  readonly grpcPort?: number;
  /**
   * Most bytes of one request: an HTTP body (on the wire and again decompressed: 413) and a
   * gRPC message (RESOURCE_EXHAUSTED). Default `defaultMaxRequestBytes`.
   */
  readonly maxRequestBytes?: number;
  /** Where failures that are bugs of the server (not of a request) are written; default stderr. */
  readonly log?: (line: string) => void;
}

/**
 * Serves a scoring pool over the Open Inference Protocol (KServe v2), the
 * protocol of Triton, KServe and MLServer: HTTP/REST with the binary tensor
 * extension and gRPC `inference.GRPCInferenceService` (unary calls framed
 * directly on HTTP/2, decision 0034). Requests from all clients go through the
 * pool's dynamic batcher.
 *
 * ```
 * serving ──drain()──▶ draining (not ready; new requests 503 / UNAVAILABLE)
 *         ──(in-flight done, or the drain timeout)──▶ closed
 * ```
 */
export class InferenceServer {
  private constructor(
    private readonly httpServer: http.Server,
    private readonly grpcServer: GrpcUnaryServer | undefined,
    private readonly gate: RequestGate,
    /** Bound ports (useful when 0 was asked). */
    readonly httpPort: number,
    readonly grpcPort: number | undefined,
    readonly host: string,
  ) {}

  static async start(pool: ServedPool, models: readonly string[], options: InferenceServerOptions): Promise<InferenceServer> {
    const host = options.host ?? '127.0.0.1';
    const maxRequestBytes = options.maxRequestBytes ?? defaultMaxRequestBytes;
    if (!(Number.isSafeInteger(maxRequestBytes) && maxRequestBytes >= 1)) throw new ConfigError(`maxRequestBytes must be a positive integer, got ${maxRequestBytes}`);
    const log = options.log ?? ((line: string) => process.stderr.write(`tributary worker: ${line}\n`));
    const gate = new RequestGate();
    const httpServer = http.createServer(kserveHttpHandler(pool, models, { gate, maxRequestBytes, log }));
    httpServer.keepAliveTimeout = 60_000;
    const httpPort = await new Promise<number>((resolve, reject) => {
      httpServer.once('error', (err) => reject(new ConfigError(`cannot listen for HTTP on ${host}:${options.httpPort}: ${err.message}`, undefined, { cause: err })));
      httpServer.listen(options.httpPort, host, () => resolve((httpServer.address() as { port: number }).port));
    });
    let grpcServer: GrpcUnaryServer | undefined;
    let grpcPort: number | undefined;
    if (options.grpcPort !== undefined) {
      // The limit is read from a message's length prefix: a larger one is refused (RESOURCE_EXHAUSTED) before it is buffered.
      grpcServer = new GrpcUnaryServer(kserveGrpcHandlers(pool, models, { gate, log }), { maxRequestBytes });
      try {
        grpcPort = await grpcServer.listen(host, options.grpcPort);
      } catch (err) {
        httpServer.close();
        throw new ConfigError(`cannot listen for gRPC on ${host}:${options.grpcPort}: ${(err as Error).message}`, undefined, { cause: err });
      }
    }
    return new InferenceServer(httpServer, grpcServer, gate, httpPort, grpcPort, host);
  }

  /** Whether the server takes new requests (false once draining). */
  get ready(): boolean {
    return this.gate.ready;
  }

  /** Requests being answered now, over both transports. */
  get inFlight(): number {
    return this.gate.active;
  }

  /**
   * Graceful shutdown: readiness turns false and new requests get a retriable 503 / UNAVAILABLE
   * at once, while those in flight finish; after `timeoutMs` at most, whatever is still running
   * is cut off and the listeners close. Resolves with the number of requests cut off.
   */
  async drain(timeoutMs: number): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), timeoutMs); });
    const outcome = await Promise.race([this.gate.drain().then(() => 'idle' as const), timedOut]);
    clearTimeout(timer);
    const cut = outcome === 'timeout' ? this.gate.active : 0;
    // Answers handed to gRPC are still being written: let a graceful shutdown flush them, briefly.
    await this.close(cut > 0 ? 0 : 1_000);
    return cut;
  }

  /**
   * Closes the listeners and every HTTP connection now (requests in flight are cut off); gRPC
   * calls get up to `grpcGraceMs` to finish before their connections are closed too.
   */
  async close(grpcGraceMs = 0): Promise<void> {
    const closed = new Promise<void>((resolve) => this.httpServer.close(() => resolve()));
    this.httpServer.closeAllConnections();
    await closed;
    await this.grpcServer?.close(grpcGraceMs);
  }
}
