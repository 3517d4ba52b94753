import { InvalidArgumentError, type Command } from 'commander';
import type { CliCommand } from './cli-command';
import { ScoringPool } from '../scoring/scoring-pool';
import { InferenceServer, defaultMaxRequestBytes } from '../scoring/inference-server';
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
  maxRequestBytes: string;
  maxQueueRows: string;
  drainTimeoutMs: string;
}

function integer(value: string, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new InvalidArgumentError(`${flag} must be an integer ${max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`}, got '${value}'`);
  }
  return n;
}

/** Rows the batching queue of a worker holds unless told otherwise (about 10 MB of the flagship model's 152-byte candidate rows). */
const defaultMaxQueueRows = 65_536;

const afterHelp = `
Endpoints (Open Inference Protocol / KServe v2, as Triton serves them):
  HTTP  GET /v2, /v2/health/live, /v2/health/ready, /v2/models/NAME[/versions/V][/ready]
        POST /v2/models/NAME[/versions/V]/infer (JSON or binary tensors; gzip/deflate bodies)
  gRPC  inference.GRPCInferenceService on --grpc-port
Only the version in the model's manifest is served; other versions answer 404 / NOT_FOUND.
Overload: a request that would queue more than --max-queue-rows rows gets 429 / RESOURCE_EXHAUSTED.
SIGTERM or SIGINT: readiness turns false, new requests get 503 / UNAVAILABLE, requests in
flight finish (at most --drain-timeout-ms), then the process exits; a second signal ends it at once.`;

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
      .option('--host <addr>', 'address to bind (the default serves this machine only; 0.0.0.0 serves every interface)', '127.0.0.1')
      .option('--workers <n>', 'ONNX worker threads', '1')
      .option('--providers <list>', 'execution providers in order of preference', 'cpu')
      .option('--intra-op-threads <n>', 'ONNX intra-op threads per session')
      .option('--max-batch-rows <n>', 'dynamic batching: most rows per batch', '256')
      .option('--max-delay-ms <n>', 'dynamic batching: longest wait for a batch to fill', '2')
      .option('--reload-poll-ms <n>', 'look for a new model version this often (0: never)', '2000')
      .option('--metrics-port <port>', 'serve Prometheus /metrics (scoring batch sizes, latency, provider in use) on this port')
      .option('--metrics-host <host>', 'address the metrics endpoint binds to', '127.0.0.1')
      .option('--max-request-bytes <n>', 'largest request: HTTP body, compressed and decompressed (413), gRPC message (RESOURCE_EXHAUSTED)', String(defaultMaxRequestBytes))
      .option('--max-queue-rows <n>', 'most rows waiting for a batch; beyond it requests get 429 / RESOURCE_EXHAUSTED at once', String(defaultMaxQueueRows))
      .option('--drain-timeout-ms <n>', 'on SIGTERM, longest wait for requests in flight before exiting', '30000')
      .addHelpText('after', afterHelp)
      .action(async (opts: WorkerOptions) => {
        // Every flag is checked before the models load, so a typo fails in milliseconds, not after warm-up.
        const httpPort = integer(opts.port, '--port', 0, 65_535);
        const grpcPort = opts.grpcPort === undefined ? (httpPort === 0 ? 0 : httpPort + 1) : integer(opts.grpcPort, '--grpc-port', 0, 65_535);
        const maxRequestBytes = integer(opts.maxRequestBytes, '--max-request-bytes', 1);
        const maxQueuedRows = integer(opts.maxQueueRows, '--max-queue-rows', 1);
        const drainTimeoutMs = integer(opts.drainTimeoutMs, '--drain-timeout-ms', 0);
        const workers = integer(opts.workers, '--workers', 1);
        const intraOpThreads = opts.intraOpThreads === undefined ? undefined : integer(opts.intraOpThreads, '--intra-op-threads', 1);
        const batching = { maxBatchRows: integer(opts.maxBatchRows, '--max-batch-rows', 1), maxDelayMs: integer(opts.maxDelayMs, '--max-delay-ms', 0), maxQueuedRows };
        const reloadPollMs = integer(opts.reloadPollMs, '--reload-poll-ms', 0);
        const metricsPort = opts.metricsPort === undefined ? undefined : integer(opts.metricsPort, '--metrics-port', 0, 65_535);
        // Metrics go out when asked for (a port) or when OTLP is configured in the environment.
        let telemetry: Telemetry | undefined;
        const otlp = Object.keys(process.env).some((k) => k.startsWith('OTEL_EXPORTER_OTLP_') && k.endsWith('ENDPOINT'));
        if (opts.metricsPort !== undefined || otlp) {
          telemetry = await startTelemetry({
            serviceName: 'tributary-worker',
            prometheus: metricsPort === undefined ? false : { host: opts.metricsHost, port: metricsPort },
          });
        }
        let pool: ScoringPool;
        try {
          pool = await ScoringPool.start({
            models: opts.model,
            local: {
              workers,
              providers: opts.providers.split(',').map((p) => p.trim()).filter(Boolean),
              ...(intraOpThreads !== undefined ? { intraOpThreads } : {}),
            },
            batching,
            reloadPollMs,
          });
        } catch (err) {
          // The metrics endpoint would keep the process alive after the failure is printed.
          await telemetry?.shutdown();
          throw err;
        }
        const names = opts.model.map((dir) => pool.managed(dir));
        let server: InferenceServer;
        try {
          server = await InferenceServer.start(pool, names.map((n) => n.name), { host: opts.host, httpPort, grpcPort, maxRequestBytes });
        } catch (err) {
          await pool.close();
          await telemetry?.shutdown();
          throw err;
        }
        telemetry?.readiness.setReady(true);
        const served = names.map((n) => `${n.name} v${n.version} on ${pool.local?.providersInUse(n.name)[0] ?? '?'}`).join(', ');
        process.stdout.write(`tributary worker: serving ${served} at http://${server.host}:${server.httpPort} and grpc://${server.host}:${server.grpcPort}${telemetry?.url ? `, metrics at ${telemetry.url}/metrics` : ''}\n`);
        const signal = await new Promise<NodeJS.Signals>((resolve) => {
          // Both listeners go after the first signal, so a second one gets Node's default: the process ends at once.
          const stop = (name: NodeJS.Signals): void => {
            process.removeListener('SIGINT', stop);
            process.removeListener('SIGTERM', stop);
            resolve(name);
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
        // Not ready first, so load balancers stop sending; then the requests in flight finish.
        telemetry?.readiness.setReady(false);
        process.stdout.write(`tributary worker: ${signal}: draining ${server.inFlight} requests in flight (at most ${drainTimeoutMs} ms)\n`);
        const cut = await server.drain(drainTimeoutMs);
        process.stdout.write(`tributary worker: drained${cut > 0 ? `, ${cut} requests cut off at the drain timeout` : ''}; exiting\n`);
        await pool.close();
        await telemetry?.shutdown();
        process.exitCode = 0;
      });
  },
};
