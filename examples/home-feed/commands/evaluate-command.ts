import * as fs from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { KafkajsClient } from '../../../runtime/kafka/client/kafkajs/kafkajs-client';
import { InvalidArgumentError, type Command } from 'commander';
import type { Schema } from 'avsc';
import { loadHomeFeedSchema } from '../generate/home-feed-schemas';
import type { EngagementEvent, RecommendationEvent } from '../generate/home-feed-events';
import { readAvroTopic } from '../evaluate/avro-topic-reader';
import { evaluatePrequential, formatEvaluationReport, type EvaluationReport } from '../evaluate/prequential-evaluation';

interface EvaluateOptions {
  brokers: string;
  registry: string;
  engagementsTopic: string;
  recommendationsTopic: string;
  holdoutTopic?: string;
  holdoutFile?: string;
  k: number[];
  json?: boolean;
}

const ks = (text: string): number[] => {
  const values = text.split(',').map((s) => Number(s.trim()));
  if (values.length === 0 || values.some((k) => !Number.isInteger(k) || k < 1)) throw new InvalidArgumentError('--k takes positive integers, comma-separated (e.g. 10,25)');
  return values;
};

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
    program
      .command('evaluate')
      .description('HitRate@K and NDCG@K of emitted recommendations on held-out engagements, vs a decayed-popularity baseline')
      .option('--brokers <list>', 'Kafka bootstrap servers, comma-separated', '127.0.0.1:9092')
      .option('--registry <url>', 'schema registry (Confluent API) base URL', 'http://127.0.0.1:8081/apis/ccompat/v7')
      .option('--engagements-topic <topic>', 'the engagement stream the recommender saw', 'engagements')
      .option('--recommendations-topic <topic>', 'the recommendation updates it emitted', 'recommendations')
      .option('--holdout-topic <topic>', 'held-out engagements (Avro), as `tributary generate` wrote them')
      .option('--holdout-file <file>', 'held-out engagements (JSON lines), as `tributary generate` wrote them')
      .option('--k <list>', 'cut-offs, comma-separated', ks, [10, 25])
      .option('--json', 'print the report as JSON')
      .action(async (options: EvaluateOptions) => {
        process.exitCode = await runEvaluate(options);
      });
  },
};

/** Reads the three streams and evaluates; exported for the demo and tests. */
export async function evaluateFromKafka(options: Omit<EvaluateOptions, 'json'>): Promise<EvaluationReport> {
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
    return 2;
  }
  try {
    const report = await evaluateFromKafka(options);
    process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatEvaluationReport(report)}\n`);
    return 0;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const hint = /ECONNREFUSED|Connection error|fetch failed/.test(message) ? ' (are the services running? `npm run services:start`)' : '';
    process.stderr.write(`tributary evaluate: ${message}${hint}\n`);
    return 1;
  }
}
