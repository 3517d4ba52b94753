import type { Command } from 'commander';
import type { CliCommand } from './cli-command';
import { ConfigError } from '../../core/errors';
import { ScoringPool } from '../scoring/scoring-pool';
import { InferenceServer } from '../scoring/inference-server';
import { startTelemetry, type Telemetry } from '../telemetry';

interface WorkerOptions {
  model: string[];
  port: string;
  grpcPort?: string;
  host: string;
  workers: string;
  providers: string;
  intraOpThreads?: string;
  maxBatchRows: string;
  maxDelayMs: string;
  reloadPollMs: string;
  metricsPort?: string;
  metricsHost: string;
}

function integer(value: string, flag: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`${flag} must be an integer ≥ ${min}, got '${value}'`);
  return n;
}

/**
 * `tributary worker --model DIR --port N`: a scoring worker that serves its
 * models over the Open Inference Protocol (KServe v2) on HTTP/REST (with the
 * binary tensor extension) and gRPC, so processors' pools, Triton clients or
 * KServe clients can call it. Runs until SIGINT or SIGTERM.
 */
export const workerCommand: CliCommand = {
  register(program: Command) {
    program
      .command('worker')
      .description('serve ONNX models over the Open Inference Protocol (KServe v2: HTTP/REST and gRPC) for remote scoring')
      .requiredOption('--model <dir>', 'model folder with manifest.json and the .onnx file (repeatable)', (v: string, all: string[] = []) => [...all, v])
      .option('--port <n>', 'HTTP/REST port (0 picks a free one)', '8000')
      .option('--grpc-port <n>', 'gRPC port (default: HTTP port + 1; 0 picks a free one)')
      .option('--host <addr>', 'address to bind', '127.0.0.1')
      .option('--workers <n>', 'ONNX worker threads', '1')
      .option('--providers <list>', 'execution providers in order of preference', 'cpu')
      .option('--intra-op-threads <n>', 'ONNX intra-op threads per session')
      .option('--max-batch-rows <n>', 'dynamic batching: most rows per batch', '256')
      .option('--max-delay-ms <n>', 'dynamic batching: longest wait for a batch to fill', '2')
      .option('--reload-poll-ms <n>', 'look for a new model version this often (0: never)', '2000')
      .option('--metrics-port <port>', 'serve Prometheus /metrics (scoring batch sizes, latency, provider in use) on this port')
      .option('--metrics-host <host>', 'address the metrics endpoint binds to', '127.0.0.1')
      .action(async (opts: WorkerOptions) => {
        const httpPort = integer(opts.port, '--port', 0);
        const grpcPort = opts.grpcPort === undefined ? (httpPort === 0 ? 0 : httpPort + 1) : integer(opts.grpcPort, '--grpc-port', 0);
        // Metrics go out when asked for (a port) or when OTLP is configured in the environment.
        let telemetry: Telemetry | undefined;
        const otlp = Object.keys(process.env).some((k) => k.startsWith('OTEL_EXPORTER_OTLP_') && k.endsWith('ENDPOINT'));
        if (opts.metricsPort !== undefined || otlp) {
          telemetry = await startTelemetry({
            serviceName: 'tributary-worker',
            prometheus: opts.metricsPort === undefined ? false : { host: opts.metricsHost, port: integer(opts.metricsPort, '--metrics-port', 0) },
          });
        }
        let pool: ScoringPool;
        try {
          pool = await ScoringPool.start({
            models: opts.model,
            local: {
              workers: integer(opts.workers, '--workers', 1),
              providers: opts.providers.split(',').map((p) => p.trim()).filter(Boolean),
              ...(opts.intraOpThreads !== undefined ? { intraOpThreads: integer(opts.intraOpThreads, '--intra-op-threads', 1) } : {}),
            },
            batching: { maxBatchRows: integer(opts.maxBatchRows, '--max-batch-rows', 1), maxDelayMs: integer(opts.maxDelayMs, '--max-delay-ms', 0) },
            reloadPollMs: integer(opts.reloadPollMs, '--reload-poll-ms', 0),
          });
        } catch (err) {
          // The metrics endpoint would keep the process alive after the failure is printed.
          await telemetry?.shutdown();
          throw err;
        }
        const names = opts.model.map((dir) => pool.managed(dir));
        let server: InferenceServer;
        try {
          server = await InferenceServer.start(pool, names.map((n) => n.name), { host: opts.host, httpPort, grpcPort });
        } catch (err) {
          await pool.close();
          await telemetry?.shutdown();
          throw err;
        }
        telemetry?.readiness.setReady(true);
        const served = names.map((n) => `${n.name} v${n.version} on ${pool.local?.providersInUse(n.name)[0] ?? '?'}`).join(', ');
        process.stdout.write(`tributary worker: serving ${served} at http://${server.host}:${server.httpPort} and grpc://${server.host}:${server.grpcPort}${telemetry?.url ? `, metrics at ${telemetry.url}/metrics` : ''}\n`);
        await new Promise<void>((resolve) => {
          const stop = (): void => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await server.close();
        await pool.close();
        await telemetry?.shutdown();
        process.exitCode = 0;
      });
  },
};
