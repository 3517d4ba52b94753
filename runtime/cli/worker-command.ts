import * as net from 'node:net';
import { InvalidArgumentError, type Command } from 'commander';
import type { CliCommand } from './cli-command';
import { ConfigError } from '../../core/errors';
import type { ScoringPool } from '../scoring/scoring-pool';
import type { InferenceServer } from '../scoring/inference-server';
import { defaultMaxRequestBytes } from '../scoring/inference-server-limits';
import { executionProviderAvailability, knownExecutionProviders } from '../scoring/execution-providers';
import type { Telemetry } from '../telemetry';

interface WorkerOptions {
  model: string[];
  port: number;
  grpcPort?: number;
  host: string;
  workers: number;
  providers: string[];
  intraOpThreads?: number;
  maxBatchRows: number;
  maxDelayMs: number;
  reloadPollMs: number;
  metricsPort?: number;
  metricsHost: string;
  maxRequestBytes: number;
  maxQueueRows: number;
  drainTimeoutMs: number;
}

/*
 * Flags are parsed by commander as they are read, so a bad one is a usage error (exit 2, one line
 * naming the flag) before anything loads: a typo fails in milliseconds, not after model warm-up.
 */
function integer(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`Expected an integer ${max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`}.`);
    }
    return n;
  };
}

const port = integer(0, 65_535);

function providerList(value: string): string[] {
  const known = knownExecutionProviders();
  const list = value.split(',').map((p) => p.trim().toLowerCase()).filter(Boolean);
  if (list.length === 0) throw new InvalidArgumentError(`name at least one of ${known.join(', ')}.`);
  const unknown = list.filter((p) => !known.includes(p));
  if (unknown.length > 0) throw new InvalidArgumentError(`unknown execution provider ${unknown.map((p) => `'${p}'`).join(', ')} (this onnxruntime-node knows ${known.join(', ')}).`);
  return list;
}

/** Fails now, before the models load, if another process holds the port (the real bind comes after warm-up). */
async function checkPortFree(host: string, portNumber: number, flag: string): Promise<void> {
  if (portNumber === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => reject(new ConfigError(`${flag} ${portNumber}: cannot listen on ${host}:${portNumber}: ${err.code === 'EADDRINUSE' ? 'another process uses this port' : err.message}`)));
    probe.listen(portNumber, host, () => probe.close(() => resolve()));
  });
}

/** Rows the batching queue of a worker holds unless told otherwise (about 10 MB of the flagship model's 152-byte candidate rows). */
const defaultMaxQueueRows = 65_536;

const afterHelp = (): string => `
Endpoints (Open Inference Protocol / KServe v2, as Triton serves them), on --host:
  HTTP  GET or HEAD /v2/health/live, /v2/health/ready, /v2/models/NAME[/versions/V]/ready
        GET  /v2, /v2/models/NAME[/versions/V]              server and model metadata
        GET  /v2/models/NAME[/versions/V]/config              model configuration (Triton's fields)
        GET  /v2/models/NAME[/versions/V]/stats, /v2/models/stats   statistics (Triton's fields)
        POST /v2/repository/index                             models served and their state
        POST /v2/models/NAME[/versions/V]/infer               JSON or binary tensors; gzip/deflate bodies
  gRPC  inference.GRPCInferenceService on --grpc-port: ServerLive, ServerReady, ModelReady,
        ServerMetadata, ModelMetadata, ModelInfer, ModelConfig, ModelStatistics, RepositoryIndex
Only the version in the model's manifest is served; other versions answer 404 / NOT_FOUND.
Execution providers this onnxruntime-node knows: ${knownExecutionProviders().join(', ')}. The first in
--providers that loads is used; one whose library is missing here (cuda without CUDA) is skipped
with a warning, and if none is left the worker stops with an error.
--intra-op-threads unset: onnxruntime's default, one thread per physical core for each session
(with several --workers, set it so workers × threads stays within the cores).
--workers 0 runs the sessions on the thread that serves requests: no hand-over to a worker
thread per batch (the cheapest per request with one session per model), but a batch holds
that thread while it runs, so health checks and new requests wait for it.
Batching: a batch leaves as soon as a session is free, holding the requests waiting by then
(at most --max-batch-rows rows); --max-delay-ms above 0 holds a batch that long to fill.
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
      .option('--port <n>', 'HTTP/REST port (0 picks a free one)', port, 8000)
      .option('--grpc-port <n>', 'gRPC port (default: HTTP port + 1; 0 picks a free one)', port)
      .option('--host <addr>', 'address to bind (the default serves this machine only; 0.0.0.0 serves every interface)', '127.0.0.1')
      .option('--workers <n>', 'ONNX worker threads, each with its own session of every model (0: one session per model on the event-loop thread, no thread hop; see below)', integer(0), 1)
      .option('--providers <list>', 'execution providers in order of preference, comma-separated (see below)', providerList, ['cpu'])
      .option('--intra-op-threads <n>', 'ONNX intra-op threads per session (unset: one per physical core)', integer(1))
      .option('--max-batch-rows <n>', 'dynamic batching: most rows per batch', integer(1), 256)
      .option('--max-delay-ms <n>', 'dynamic batching: longest a batch waits to fill (0: send what is waiting at once)', integer(0), 0)
      .option('--reload-poll-ms <n>', 'look for a new model version this often (0: never)', integer(0), 2000)
      .option('--metrics-port <port>', 'serve Prometheus /metrics (scoring batch sizes, latency, provider in use) on this port', port)
      .option('--metrics-host <host>', 'address the metrics endpoint binds to', '127.0.0.1')
      .option('--max-request-bytes <n>', 'largest request: HTTP body, compressed and decompressed (413), gRPC message (RESOURCE_EXHAUSTED)', integer(1), defaultMaxRequestBytes)
      .option('--max-queue-rows <n>', 'most rows waiting for a batch; beyond it requests get 429 / RESOURCE_EXHAUSTED at once', integer(1), defaultMaxQueueRows)
      .option('--drain-timeout-ms <n>', 'on SIGTERM, longest wait for requests in flight before exiting', integer(0), 30_000)
      .addHelpText('after', afterHelp)
      .action(async (opts: WorkerOptions) => {
        const httpPort = opts.port;
        const grpcPort = opts.grpcPort ?? (httpPort === 0 ? 0 : httpPort + 1);
        if (grpcPort > 65_535) throw new ConfigError(`--grpc-port defaults to --port + 1, which is past 65535 for --port ${httpPort}: give --grpc-port`);
        const { maxRequestBytes, drainTimeoutMs, workers, intraOpThreads, reloadPollMs, metricsPort } = opts;
        const batching = { maxBatchRows: opts.maxBatchRows, maxDelayMs: opts.maxDelayMs, maxQueuedRows: opts.maxQueueRows };
        const { usable, unavailable } = executionProviderAvailability(opts.providers);
        const missing = unavailable.map((p) => `${p.name.toUpperCase()} is not available: ${p.reason}`).join('; ');
        if (usable.length === 0) throw new ConfigError(`--providers ${opts.providers.join(',')}: ${missing}; add cpu to --providers to run on the CPU`);
        if (unavailable.length > 0) process.stderr.write(`tributary worker: warning: ${missing}; using ${usable.join(', ')}\n`);
        await checkPortFree(opts.host, httpPort, '--port');
        if (grpcPort !== httpPort) await checkPortFree(opts.host, grpcPort, '--grpc-port');
        // Loaded here, not at the top: other commands (validate, describe) start without gRPC, ONNX and the telemetry SDK.
        const { startTelemetry } = await import('../telemetry');
        const { ScoringPool } = await import('../scoring/scoring-pool');
        const { InferenceServer } = await import('../scoring/inference-server');
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
              providers: [...usable],
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
        // Listening before the ready line: a supervisor may signal as soon as it reads the line, and a
        // SIGTERM that came before the listener would end the process without a drain.
        const signalled = new Promise<NodeJS.Signals>((resolve) => {
          // Both listeners go after the first signal, so a second one gets Node's default: the process ends at once.
          const stop = (name: NodeJS.Signals): void => {
            process.removeListener('SIGINT', stop);
            process.removeListener('SIGTERM', stop);
            resolve(name);
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
        process.stdout.write(`tributary worker: serving ${served} at http://${server.host}:${server.httpPort} and grpc://${server.host}:${server.grpcPort}${telemetry?.url ? `, metrics at ${telemetry.url}/metrics` : ''}\n`);
        const signal = await signalled;
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
