import { Kafka, logLevel, type Consumer } from 'kafkajs';
import type { Schema } from 'avsc';
import { AvroSerde } from '../../../schemas/serde-avro';
import { createRegistryClient } from '../../../schemas/registry-client';
import { loadHomeFeedSchema } from '../generate/home-feed-schemas';
import type { RecommendationEvent } from '../generate/home-feed-events';
import { LatestFeedStore } from './latest-feed-store';
import { Command } from 'commander';

export interface RecommendationsConsumerOptions {
  readonly brokers: readonly string[];
  readonly registryUrl: string;
  readonly topic: string;
  /** Consumer group; one group per service so each instance set sees every update. */
  readonly groupId: string;
  readonly fromBeginning?: boolean;
  /** Told of every update as it arrives, with the wall-clock receive time. */
  readonly onUpdate?: (update: RecommendationEvent, receivedAtMs: number) => void;
}

/**
 * A small downstream service: reads `recommendations` through the registry
 * (Avro, Confluent wire format) and keeps the latest list per user in a
 * {@link LatestFeedStore}, dropping stale versions.
 */
export class RecommendationsConsumer {
  readonly feeds = new LatestFeedStore();
  private consumer?: Consumer;

  constructor(private readonly options: RecommendationsConsumerOptions) {}

  async start(): Promise<void> {
    const serde = await AvroSerde.create({
      registry: createRegistryClient({ url: this.options.registryUrl }), subject: `${this.options.topic}-value`,
      schema: JSON.parse(loadHomeFeedSchema('recommendation').text) as Schema, autoRegister: false,
    });
    const kafka = new Kafka({ clientId: 'home-feed-consumer', brokers: [...this.options.brokers], logLevel: logLevel.NOTHING });
    this.consumer = kafka.consumer({ groupId: this.options.groupId });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.options.topic, fromBeginning: this.options.fromBeginning ?? true });
    await this.consumer.run({
      eachBatch: async ({ batch }) => {
        await serde.prepare(batch.messages.map((m) => m.value));
        const now = Date.now();
        for (const m of batch.messages) {
          const update = serde.deserialize(m.value) as RecommendationEvent;
          this.feeds.offer(update);
          this.options.onUpdate?.(update, now);
        }
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

/** `node dist/examples/home-feed/consumer/recommendations-consumer.js [topic]`: print each user's feed as it changes. */
async function cli(): Promise<void> {
  const command = new Command('node dist/examples/home-feed/consumer/recommendations-consumer.js')
    .description("prints each user's feed as it changes (brokers: KAFKA_BROKERS, registry: SCHEMA_REGISTRY_URL)")
    .argument('[topic]', 'recommendation topic', 'recommendations');
  command.parse(process.argv);
  const consumer = new RecommendationsConsumer({
    brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    registryUrl: process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7',
    topic: command.processedArgs[0] as string, groupId: `home-feed-consumer-${process.pid}`,
  });
  await consumer.start();
  const timer = setInterval(() => {
    const c = consumer.feeds.counts;
    process.stdout.write(`${consumer.feeds.users} users, ${c.applied} applied, ${c.duplicate} same content, ${c.stale} stale dropped\n`);
  }, 2000);
  const stop = (): void => { clearInterval(timer); void consumer.stop().then(() => process.exit(0)); };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) void cli();
