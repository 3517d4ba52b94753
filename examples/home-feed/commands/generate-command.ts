import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { TributaryError } from '../../../core/errors';
import { ExitCode } from '../../../core/exit-code';
import { HomeFeedGenerator } from '../generate/home-feed-generator';
import { HOME_FEED_PARTITIONS } from '../home-feed-partitions';
import type { HomeFeedKafkaWriter, WriteProgress } from '../generate/home-feed-kafka-writer';
import { duration, homeFeedKafkaOptions, integer, nonNegative, startTime, type HomeFeedKafkaOptions } from './home-feed-options';

interface GenerateOptions extends HomeFeedKafkaOptions {
  imagesTopic: string;
  total: number;
  rate: number;
  seed: number;
  users: number;
  pins: number;
  interests: number;
  holdoutShare: number;
  span: number;
  start?: number;
  partitions: number;
  createTopics: boolean;
  progress: boolean;
}

/**
 * `tributary generate`: a synthetic home-feed stream (image and engagement
 * events, Avro through the registry) into Kafka, with held-out future
 * engagements to a topic and/or a JSON-lines file for `tributary evaluate`.
 */
/** Registered by the `tributary` CLI (structurally a CliCommand: examples sit below the CLI). */
export const generateCommand = {
  register(program: Command): void {
    homeFeedKafkaOptions(program
      .command('generate')
      .description('write a synthetic home-feed stream (images, engagements, held-out engagements) to Kafka through the registry'), 'write')
      .option('--images-topic <topic>', 'topic of image events (key pinId)', 'images')
      .option('--total <n>', 'events in all, held-out ones included', integer('--total', 1), 100_000)
      .option('--rate <events/s>', 'wall-clock rate; 0 = as fast as Kafka takes them', nonNegative('--rate'), 0)
      .option('--seed <n>', 'PRNG seed: the same seed writes the same events', integer('--seed', 0), 42)
      .option('--users <n>', 'number of users (Zipf activity)', integer('--users', 1), 2_000)
      .option('--pins <n>', 'pins existing before the stream starts', integer('--pins', 1), 3_000)
      .option('--interests <n>', 'latent interests (categories)', integer('--interests', 1), 12)
      .option('--holdout-share <x>', 'final share of engagements held out for evaluation', nonNegative('--holdout-share'), 0.1)
      .option('--span <duration>', 'event-time span of the stream', duration, 2 * 86_400_000)
      .option('--start <time>', 'event time of the first engagement (ISO-8601 or epoch ms); default: now minus the span, so the stream ends now', startTime)
      .option('--partitions <n>', 'partitions of topics this command creates', integer('--partitions', 1), HOME_FEED_PARTITIONS)
      .option('--no-create-topics', 'fail when a topic is missing instead of creating it')
      .option('--no-progress', 'no progress bar or rate line')
      .action(async (options: GenerateOptions) => {
        process.exitCode = await runGenerate(options);
      });
  },
};

async function runGenerate(options: GenerateOptions): Promise<number> {
  let generator: HomeFeedGenerator;
  try {
    generator = new HomeFeedGenerator({
      seed: options.seed, totalEvents: options.total, users: options.users, initialPins: options.pins,
      interests: options.interests, holdoutShare: options.holdoutShare, spanMs: options.span,
      maxInterestsPerUser: Math.min(3, options.interests),
      // Brokers delete records older than retention.ms by their timestamps: a
      // stream in the past would vanish, so by default it ends now.
      startTime: options.start ?? Math.floor((Date.now() - options.span) / 1000) * 1000,
    });
  } catch (err) {
    return fail(err, ExitCode.usage);
  }
  if (!options.holdoutTopic && !options.holdoutFile && options.holdoutShare > 0) {
    process.stderr.write('tributary generate: held-out engagements need --holdout-topic or --holdout-file (or --holdout-share 0)\n');
    return ExitCode.usage;
  }
  if (options.holdoutFile) fs.mkdirSync(path.dirname(path.resolve(options.holdoutFile)), { recursive: true });
  const brokers = options.brokers.split(',').map((b) => b.trim()).filter(Boolean);
  const topics = [options.engagementsTopic, options.imagesTopic, ...(options.holdoutTopic ? [options.holdoutTopic] : [])];
  let writer: HomeFeedKafkaWriter | undefined;
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const display = await progressDisplay(options.progress, options.total);
  try {
    // Loaded here, not at the top: the Kafka client and the registry are no cost to the CLI's other commands.
    const { Kafka, logLevel } = await import('kafkajs');
    const { KafkajsClient } = await import('../../../runtime/kafka/client/kafkajs/kafkajs-client');
    const { ensureTopics } = await import('../../../runtime/kafka/topic-admin');
    const { HomeFeedKafkaWriter } = await import('../generate/home-feed-kafka-writer');
    const kafka = new Kafka({ clientId: 'tributary-generate-admin', brokers, logLevel: logLevel.NOTHING, retry: { retries: 2 } });
    const created = async (): Promise<void> => {
      const admin = await new KafkajsClient(kafka).admin();
      try {
        await ensureTopics(admin, topics.map((topic) => ({
          topic, partitions: options.partitions, purpose: 'generated home-feed events',
          // Replays and evaluation read the stream again later: keep it.
          config: { 'retention.ms': '-1' },
        })), options.createTopics ? 'create' : 'require');
      } finally {
        await admin.close();
      }
    };
    await created().catch((cause: unknown) => {
      if (cause instanceof TributaryError && !cause.retriable) throw cause;
      throw new Error(`cannot reach Kafka at ${brokers.join(',')} (start it with \`npm run services:start\`): ${(cause as Error).message}`);
    });
    writer = await HomeFeedKafkaWriter.open({
      brokers, registryUrl: options.registry, engagementsTopic: options.engagementsTopic, imagesTopic: options.imagesTopic,
      holdoutTopic: options.holdoutTopic, holdoutFile: options.holdoutFile,
    });
    const result = await writer.write(generator.events(), {
      total: options.total, rate: options.rate, signal: abort.signal, onProgress: display.update,
    });
    display.stop(result);
    return abort.signal.aborted ? ExitCode.interrupted : ExitCode.ok;
  } catch (err) {
    display.stop(undefined);
    return fail(err, ExitCode.failed);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await writer?.close().catch(() => undefined);
  }
}

/** Prints why generate stopped; the generator's own checks of the options are usage errors, the rest failed work. */
function fail(err: unknown, code: number): number {
  const message = err instanceof Error ? err.message : String(err);
  const hint = /ECONNREFUSED|fetch failed|could not look up/.test(message) && !/services:start/.test(message)
    ? ' (is the registry running? `npm run services:start`)' : '';
  process.stderr.write(`tributary generate: ${message}${hint}\n`);
  return code;
}

/** A progress bar on a terminal, a rate line every few seconds otherwise (logs, CI). */
async function progressDisplay(enabled: boolean, total: number): Promise<{ update(p: WriteProgress): void; stop(p: WriteProgress | undefined): void }> {
  const line = (p: WriteProgress): string => {
    const rate = p.elapsedMs > 0 ? Math.round((p.written * 1000) / p.elapsedMs) : 0;
    return `${p.written}/${total} events (${p.byKind.image} images, ${p.byKind.engagement} engagements, ${p.byKind.holdout} held out) ${rate} events/s`;
  };
  if (!enabled) return { update: () => undefined, stop: () => undefined };
  if (process.stderr.isTTY) {
    const { SingleBar, Presets } = await import('cli-progress');
    const bar = new SingleBar({ format: 'generate [{bar}] {percentage}% {value}/{total} events | {rate} events/s | ETA {eta}s', stream: process.stderr }, Presets.shades_classic);
    bar.start(total, 0, { rate: 0 });
    return {
      update: (p) => bar.update(p.written, { rate: p.elapsedMs > 0 ? Math.round((p.written * 1000) / p.elapsedMs) : 0 }),
      stop: (p) => {
        bar.stop();
        if (p) process.stderr.write(`generated ${line(p)}\n`);
      },
    };
  }
  let last = 0;
  return {
    update: (p) => {
      if (p.elapsedMs - last < 2000) return;
      last = p.elapsedMs;
      process.stderr.write(`generate: ${line(p)}\n`);
    },
    stop: (p) => {
      if (p) process.stderr.write(`generated ${line(p)}\n`);
    },
  };
}
