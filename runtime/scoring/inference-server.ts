import * as http from 'node:http';
import * as grpc from '@grpc/grpc-js';
import type { ScoringPool } from './scoring-pool';
import { ConfigError } from '../../core/errors';
import { inferenceService } from './internal/kserve-proto';
import { kserveGrpcHandlers } from './internal/kserve-grpc-service';
import { kserveHttpHandler } from './internal/kserve-http-handler';

/** Where the inference server listens (127.0.0.1 unless told otherwise). */
export interface InferenceServerOptions {
  readonly host?: string;
  /** HTTP/REST port; 0 picks a free one. */
  readonly httpPort: number;
  /** gRPC port; 0 picks a free one; undefined serves no gRPC. */
  readonly grpcPort?: number;
}

/**
 * Serves a scoring pool over the Open Inference Protocol (KServe v2), the
 * protocol of Triton, KServe and MLServer: HTTP/REST with the binary tensor
 * extension and gRPC `inference.GRPCInferenceService`. Requests from all
 * clients go through the pool's dynamic batcher.
 */
export class InferenceServer {
  private constructor(
    private readonly httpServer: http.Server,
    private readonly grpcServer: grpc.Server | undefined,
    /** Bound ports (useful when 0 was asked). */
    readonly httpPort: number,
    readonly grpcPort: number | undefined,
    readonly host: string,
  ) {}

  static async start(pool: ScoringPool, models: readonly string[], options: InferenceServerOptions): Promise<InferenceServer> {
    const host = options.host ?? '127.0.0.1';
    const httpServer = http.createServer(kserveHttpHandler(pool, models));
    httpServer.keepAliveTimeout = 60_000;
    const httpPort = await new Promise<number>((resolve, reject) => {
      httpServer.once('error', (err) => reject(new ConfigError(`cannot listen for HTTP on ${host}:${options.httpPort}: ${err.message}`, undefined, { cause: err })));
      httpServer.listen(options.httpPort, host, () => resolve((httpServer.address() as { port: number }).port));
    });
    let grpcServer: grpc.Server | undefined;
    let grpcPort: number | undefined;
    if (options.grpcPort !== undefined) {
      grpcServer = new grpc.Server({ 'grpc.max_receive_message_length': 256 * 1024 * 1024, 'grpc.max_send_message_length': 256 * 1024 * 1024 });
      grpcServer.addService(inferenceService().service, kserveGrpcHandlers(pool, models));
      const server = grpcServer;
      try {
        grpcPort = await new Promise<number>((resolve, reject) => {
          server.bindAsync(`${host}:${options.grpcPort}`, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port)));
        });
      } catch (err) {
        httpServer.close();
        throw new ConfigError(`cannot listen for gRPC on ${host}:${options.grpcPort}: ${(err as Error).message}`, undefined, { cause: err });
      }
    }
    return new InferenceServer(httpServer, grpcServer, httpPort, grpcPort, host);
  }

  async close(): Promise<void> {
    this.httpServer.closeAllConnections();
    await new Promise<void>((resolve) => this.httpServer.close(() => resolve()));
    if (this.grpcServer) {
      const server = this.grpcServer;
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    }
  }
}
