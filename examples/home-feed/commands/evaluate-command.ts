import * as fs from 'node:fs';
import type { Command } from 'commander';
import { ExitCode } from '../../../core/exit-code';
import { homeFeedKafkaOptions, integerList, type HomeFeedKafkaOptions } from './home-feed-options';
import type { Schema } from 'avsc';
import { loadHomeFeedSchema } from '../generate/home-feed-schemas';
import type { EngagementEvent, RecommendationEvent } from '../generate/home-feed-events';
import { evaluatePrequential, formatEvaluationReport, type EvaluationReport } from '../evaluate/prequential-evaluation';

interface EvaluateOptions extends HomeFeedKafkaOptions {
  recommendationsTopic: string;
  k: number[];
  json?: boolean;
}

/**
 * `tributary evaluate`: prequential quality of the emitted recommendations.
 * Reads the engagement stream and the recommendation updates from Kafka
 * (through the registry) and the held-out engagements from a file or topic,
 * then reports HitRate@K and NDCG@K against a decayed-popularity baseline
 * computed on the same engagement stream.
 */
/** Registered by the `tributary` CLI (structurally a CliCommand: examples sit below the CLI). */
export const evaluateCommand = {
  register(program: Command): void {
    homeFeedKafkaOptions(program
      .command('evaluate')
      .description('HitRate@K and NDCG@K of emitted recommendations on held-out engagements, vs a decayed-popularity baseline'), 'read')
      .option('--recommendations-topic <topic>', 'the recommendation updates it emitted', 'recommendations')
      .option('--k <list>', 'cut-offs, comma-separated', integerList('--k'), [10, 25])
      .option('--json', 'print the report as JSON')
      .action(async (options: EvaluateOptions) => {
        process.exitCode = await runEvaluate(options);
      });
  },
};

/** Reads the three streams and evaluates; exported for the demo and tests. */
export async function evaluateFromKafka(options: Omit<EvaluateOptions, 'json'>): Promise<EvaluationReport> {
  // Loaded here, not at the top: the Kafka client and the registry are no cost to the CLI's other commands.
  const { Kafka, logLevel } = await import('kafkajs');
  const { KafkajsClient } = await import('../../../runtime/kafka/client/kafkajs/kafkajs-client');
  const { readAvroTopic } = await import('../evaluate/avro-topic-reader');
  const kafka = new KafkajsClient(new Kafka({ clientId: 'tributary-evaluate', brokers: options.brokers.split(','), logLevel: logLevel.NOTHING, retry: { retries: 2 } }));
  const schema = (name: 'engagement' | 'recommendation'): Schema => JSON.parse(loadHomeFeedSchema(name).text) as Schema;
  const holdout = options.holdoutFile
    ? fs.readFileSync(options.holdoutFile, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as EngagementEvent)
    : await readAvroTopic<EngagementEvent>(kafka, options.registry, options.holdoutTopic!, schema('engagement'));
  const [engagements, recommendations] = await Promise.all([
    readAvroTopic<EngagementEvent>(kafka, options.registry, options.engagementsTopic, schema('engagement')),
    readAvroTopic<RecommendationEvent>(kafka, options.registry, options.recommendationsTopic, schema('recommendation')),
  ]);
  return evaluatePrequential({ engagements, holdout, recommendations: recommendations.map((r) => ({ ...r, version: Number(r.version) })), ks: options.k });
}

async function runEvaluate(options: EvaluateOptions): Promise<number> {
  if (!options.holdoutFile && !options.holdoutTopic) {
    process.stderr.write('tributary evaluate: give --holdout-file or --holdout-topic (what `tributary generate` held out)\n');
    return ExitCode.usage;
  }
  try {
    const report = await evaluateFromKafka(options);
    process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatEvaluationReport(report)}\n`);
    return ExitCode.ok;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const hint = /ECONNREFUSED|Connection error|fetch failed/.test(message) ? ' (are the services running? `npm run services:start`)' : '';
    process.stderr.write(`tributary evaluate: ${message}${hint}\n`);
    return ExitCode.failed;
  }
}
