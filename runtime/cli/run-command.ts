import type { CliCommand } from './main';
import { loadTopology, formatProblem } from '../../topology';
import { createLogger } from '../logger';
import { StreamApp } from '../kafka/stream-app';
import { openTaskStores } from '../kafka/task-state';
import { createTaskPipeline } from '../kafka/pipeline-factory';
import { startTelemetry, type Telemetry } from '../telemetry';
import { startScoring } from '../kafka/scoring-setup';
import { withStepMetrics } from '../kafka/step-metrics';
import { ConfigError } from '../errors';

interface RunFlags {
  metricsPort: string;
  metricsHost: string;
  metrics: boolean;
  topics: 'create' | 'require';
  scoringWorkers: string;
  providers: string;
  remote: string[];
}

/**
 * `tributary run FILE`: join the application's consumer group and process
 * until SIGTERM/SIGINT. The first signal finishes the batches in hand,
 * commits, closes tasks and leaves the group (exit 0); a second exits at once.
 */
export const runCommand: CliCommand = {
  register(program) {
    program
      .command('run')
      .description('run a topology against Kafka until stopped (SIGTERM/SIGINT stop it cleanly)')
      .argument('<file>', 'topology file')
      .option('--metrics-port <port>', 'Prometheus /metrics, /healthz, /readyz port', '9464')
      .option('--metrics-host <host>', 'address the metrics endpoint binds to', '127.0.0.1')
      .option('--no-metrics', 'do not serve the metrics endpoint')
      .option('--topics <mode>', "missing sink/DLQ/internal topics: 'create' them or 'require' them", 'create')
      .option('--scoring-workers <n>', 'local scoring worker threads (score steps)', '1')
      .option('--providers <list>', 'ONNX execution providers in order of preference', 'cpu')
      .option('--remote <endpoint>', 'remote Open Inference Protocol endpoint (repeatable): http://host:port or grpc://host:port', (v: string, all: string[]) => [...all, v], [] as string[])
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
    return 1;
  }
  if (flags.topics !== 'create' && flags.topics !== 'require') throw new ConfigError(`--topics must be 'create' or 'require', not '${flags.topics}'`);

  let telemetry: Telemetry | undefined;
  if (flags.metrics) {
    telemetry = await startTelemetry({
      serviceName: loaded.name,
      consumerGroup: loaded.name,
      prometheus: { host: flags.metricsHost, port: Number(flags.metricsPort) },
    });
    logger.info('metrics endpoint up', { url: telemetry.url });
  }
  const topology = telemetry ? withStepMetrics(loaded, telemetry.metrics) : loaded;

  const scoring = await startScoring(topology, {
    localWorkers: Number(flags.scoringWorkers),
    providers: flags.providers.split(',').map((p) => p.trim()).filter(Boolean),
    remoteEndpoints: flags.remote,
  }, logger);

  let failure: unknown;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => { resolveDone = resolve; });
  const app = new StreamApp({
    topology,
    logger,
    telemetry,
    topicCreation: flags.topics,
    createPipeline: (resources) => createTaskPipeline(topology, resources, { scoring }),
    openStores: (resources, kafka, heartbeat) => openTaskStores(topology, resources, kafka, heartbeat, logger),
    onFatal: (error) => { failure = error; resolveDone(); },
  });

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      logger.warn('second signal: exiting at once', { signal });
      process.exit(130);
    }
    logger.info('stopping: finishing the batches in hand', { signal });
    resolveDone();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  try {
    await app.start();
    telemetry?.readiness.setReady(true);
    await done;
  } catch (error) {
    failure = error;
  } finally {
    await app.stop();
    await scoring?.close();
    await telemetry?.shutdown();
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
  if (failure !== undefined) {
    logger.error('application failed', { error: failure instanceof Error ? `${failure.name}: ${failure.message}` : String(failure) });
    return 1;
  }
  return 0;
}
