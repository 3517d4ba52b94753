import { InvalidArgumentError } from 'commander';
import type { CliCommand } from './cli-command';
import { loadTopology, formatProblem } from '../../topology';
import { createLogger, currentLogFormat } from '../../core/logger';
import type { StatusLine, Telemetry } from '../telemetry';
import type { RunningApplication } from '../app/start-application';
import { ConfigError } from '../../core/errors';
import { checkAdvertisedEndpoint, checkGroupInstanceId } from '../kafka/client/group-endpoints';
import { withEnvFileOption } from './env-file';
import { ExitCode } from '../../core/exit-code';
import { exitCodeForProblems } from './error-exit-code';
import { exitCodeForError } from './error-exit-code';
import { choiceOption, collect, numberOption } from './option-parsers';

interface RunFlags {
  metricsPort: string;
  metricsHost: string;
  metrics: boolean;
  topics: 'create' | 'require';
  scoringWorkers: string;
  providers: string;
  remote: string[];
  status: boolean;
  statusInterval?: number;
  traceSampling?: number;
  advertisedEndpoint?: string;
  groupInstanceId?: string;
  connectTimeout?: number;
}

/**
 * `tributary run FILE`: join the application's consumer group and process
 * until SIGTERM/SIGINT. The first signal finishes the batches in hand,
 * commits, closes tasks and leaves the group (exit 0); a second exits at once.
 * While it runs, a status line on stderr (throughput, lag, e2e latency, scoring
 * batch, DLQ, tasks) is redrawn in place on a terminal and written as a plain
 * log-shaped line every `--status-interval` otherwise; `--no-status` drops it.
 */
export const runCommand: CliCommand = {
  register(program) {
    withEnvFileOption(program
      .command('run')
      .description('run a topology against Kafka until stopped (SIGTERM/SIGINT stop it cleanly)')
      .argument('<file>', 'topology file')
      .option('--metrics-port <port>', 'Prometheus /metrics, /healthz, /readyz port', '9464')
      .option('--metrics-host <host>', 'address the metrics endpoint binds to', '127.0.0.1')
      .option('--no-metrics', 'do not serve the metrics endpoint')
      .option('--topics <mode>', "missing sink/DLQ/internal topics: 'create' them or 'require' them", choiceOption('--topics', ['create', 'require'] as const), 'create' as const)
      .option('--scoring-workers <n>', 'local scoring worker threads (score steps)', '1')
      .option('--providers <list>', 'ONNX execution providers in order of preference', 'cpu')
      .option('--no-status', 'no status line (it needs the metrics endpoint, so --no-metrics turns it off too)')
      .option('--status-interval <seconds>', 'status line period (default: 1 s redrawn in place on a terminal, 30 s plain lines otherwise)', numberOption('--status-interval', (n) => n > 0, 'a positive number of seconds'))
      .option('--trace-sampling <ratio>', 'share of new traces recorded, 0 to 1 (default: OTEL_TRACES_SAMPLER, else all)', numberOption('--trace-sampling', (n) => n >= 0 && n <= 1, 'between 0 and 1'))
      .option('--advertised-endpoint <host:port>', 'address other processes and clients reach this one\'s metrics endpoint at; advertised to the group so interactive queries (/v1/stores) for keys owned elsewhere redirect there', (v: string) => {
        try {
          return checkAdvertisedEndpoint(v);
        } catch (error) {
          throw new InvalidArgumentError((error as Error).message);
        }
      })
      .option('--group-instance-id <id>', 'static group membership (Kafka group.instance.id): a name unique to this process and kept across its restarts; a restart within processing.sessionTimeout gets the same partitions back without a rebalance (overrides processing.groupInstanceId)', (v: string) => {
        try {
          return checkGroupInstanceId(v);
        } catch (error) {
          throw new InvalidArgumentError((error as Error).message);
        }
      })
      .option('--connect-timeout <seconds>', 'how long start-up waits for a Kafka broker before failing with one error (default: TRIBUTARY_CONNECT_TIMEOUT, else 10)', numberOption('--connect-timeout', (n) => n > 0, 'a positive number of seconds'))
      .option('--remote <endpoint>', 'remote Open Inference Protocol endpoint (repeatable): http://host:port or grpc://host:port', collect, [] as string[]))
      .action(async (file: string, flags: RunFlags) => {
        process.exitCode = await run(file, flags);
      });
  },
};

async function run(file: string, flags: RunFlags): Promise<number> {
  const logger = createLogger('run');
  const { topology: loaded, problems } = loadTopology(file);
  if (!loaded) {
    for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
    return exitCodeForProblems(problems);
  }
  // Loaded here, not at the top: the runtime (Kafka client, telemetry SDK, RocksDB, ONNX) costs
  // ~1 s of CPU to load, which every other command (validate, describe, test) would pay at start-up.
  const { startStatusLine, startTelemetry } = await import('../telemetry');
  const { startApplication } = await import('../app/start-application');

  let telemetry: Telemetry | undefined;
  if (flags.metrics) {
    telemetry = await startTelemetry({
      serviceName: loaded.name,
      consumerGroup: loaded.name,
      prometheus: { host: flags.metricsHost, port: Number(flags.metricsPort) },
      ...(flags.traceSampling !== undefined ? { sampling: { ratio: flags.traceSampling } } : {}),
    });
    logger.info('metrics endpoint up', { url: telemetry.url });
  }
  let failure: unknown;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => { resolveDone = resolve; });

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      logger.warn('second signal: exiting at once', { signal });
      process.exit(ExitCode.interrupted);
    }
    logger.info('stopping: finishing the batches in hand', { signal });
    resolveDone();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  let status: StatusLine | undefined;
  let app: RunningApplication | undefined;
  try {
    app = await startApplication({
      topology: loaded,
      logger,
      ...(telemetry ? { telemetry } : {}),
      topicCreation: flags.topics,
      ...(flags.advertisedEndpoint ? { advertisedEndpoint: flags.advertisedEndpoint } : {}),
      ...(flags.groupInstanceId ? { groupInstanceId: flags.groupInstanceId } : {}),
      connectTimeoutMs: connectTimeoutMs(flags.connectTimeout),
      scoringSetup: {
        localWorkers: Number(flags.scoringWorkers),
        providers: flags.providers.split(',').map((p) => p.trim()).filter(Boolean),
        remoteEndpoints: flags.remote,
      },
      onFatal: (error) => { failure = error; resolveDone(); },
    });
    telemetry?.readiness.setReady(true);
    if (flags.status && telemetry?.url) {
      const periodMs = flags.statusInterval === undefined ? undefined : flags.statusInterval * 1000;
      const json = currentLogFormat() === 'json' && !process.stderr.isTTY;
      status = startStatusLine({
        metricsUrl: `${telemetry.url}/metrics`,
        // Under --log-format json, a plain status line is a log entry like the others.
        out: json ? statusLogStream() : process.stderr,
        intervalMs: periodMs,
        plainIntervalMs: periodMs,
        // Plain lines read like the log lines around them (see core/logger.ts).
        plainPrefix: () => (json ? '' : `${new Date().toISOString()} INFO  [status] `),
      });
    }
    await done;
  } catch (error) {
    failure = error;
  } finally {
    status?.stop();
    await app?.stop();
    await telemetry?.shutdown();
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
  if (failure !== undefined) {
    logger.error('application failed', { error: failure instanceof Error ? `${failure.name}: ${failure.message}` : String(failure) });
    // A setting at odds with what it meets (a schema the registry refuses) is the input's fault; the rest is the work's.
    return exitCodeForError(failure);
  }
  return ExitCode.ok;
}

/** `--connect-timeout` in ms, else TRIBUTARY_CONNECT_TIMEOUT (seconds), else the app's default. */
export function connectTimeoutMs(flag: number | undefined): number | undefined {
  if (flag !== undefined) return flag * 1000;
  const env = process.env.TRIBUTARY_CONNECT_TIMEOUT;
  if (env === undefined || env.trim() === '') return undefined;
  const seconds = Number(env);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new ConfigError(`TRIBUTARY_CONNECT_TIMEOUT must be a positive number of seconds, not '${env}'`);
  return seconds * 1000;
}

/** A non-terminal stream whose lines become `status` log entries. */
function statusLogStream(): NodeJS.WriteStream {
  const logger = createLogger('status');
  return { isTTY: false, write: (chunk: string) => { logger.info(chunk.trimEnd()); return true; } } as unknown as NodeJS.WriteStream;
}
