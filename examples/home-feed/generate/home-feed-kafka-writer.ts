import * as fs from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import type { KafkaProducer, ProducedMessage } from '../../../runtime/kafka/client/kafka-client';
import { KafkajsClient } from '../../../runtime/kafka/client/kafkajs/kafkajs-client';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Schema } from 'avsc';
import { AvroSerde } from '../../../schemas/serde-avro';
import { createRegistryClient } from '../../../schemas/registry-client';
import { TransientError } from '../../../core/errors';
import type { GeneratedEvent } from './home-feed-generator';
import { loadHomeFeedSchema } from './home-feed-schemas';

/** Where generated events go. */
export interface HomeFeedTargets {
  readonly brokers: readonly string[];
  /** Confluent-API registry base URL. */
  readonly registryUrl: string;
  readonly engagementsTopic: string;
  readonly imagesTopic: string;
  /** Held-out engagements as Avro records to this topic, when set. */
  readonly holdoutTopic?: string;
  /** Held-out engagements as JSON lines to this file, when set. */
  readonly holdoutFile?: string;
  /** Register the flagship schemas under `<topic>-value` when missing (default true: the generator owns them). */
  readonly autoRegister?: boolean;
}

/** Progress of a write, reported about every `progressEveryMs`. */
export interface WriteProgress {
  readonly written: number;
  readonly total: number;
  readonly byKind: Readonly<Record<GeneratedEvent['kind'], number>>;
  readonly elapsedMs: number;
}

export interface WriteOptions {
  /** Events per second (wall clock) to aim for; 0 or absent: as fast as the broker takes them. */
  readonly rate?: number;
  /** Expected number of events (for progress only). */
  readonly total: number;
  readonly onProgress?: (progress: WriteProgress) => void;
  readonly progressEveryMs?: number;
  readonly signal?: AbortSignal;
  /** Told after each batch is acknowledged, with the wall-clock time (latency measurements). */
  readonly onSent?: (events: readonly GeneratedEvent[], ackedAtMs: number) => void;
}

const BATCH = 1000;
const MAX_IN_FLIGHT = 4;

/**
 * Writes a generated stream to Kafka: Avro values in the Confluent wire
 * format through the registry, UTF-8 keys (userId, pinId) so a user's events
 * share a partition, batches of up to 1,000 messages, an optional
 * wall-clock rate. Holdout engagements go to their own topic and/or file.
 */
export class HomeFeedKafkaWriter {
  private constructor(
    private readonly targets: HomeFeedTargets,
    private readonly producer: KafkaProducer,
    private readonly engagementSerde: AvroSerde,
    private readonly imageSerde: AvroSerde,
    private readonly holdoutSerde: AvroSerde | undefined,
  ) {}

  /** Connects the producer and resolves (registering when allowed) the value schemas. */
  static async open(targets: HomeFeedTargets): Promise<HomeFeedKafkaWriter> {
    const registry = createRegistryClient({ url: targets.registryUrl });
    const autoRegister = targets.autoRegister ?? true;
    const serde = (topic: string, name: 'engagement' | 'image'): Promise<AvroSerde> =>
      AvroSerde.create({ registry, subject: `${topic}-value`, schema: JSON.parse(loadHomeFeedSchema(name).text) as Schema, autoRegister });
    const [engagementSerde, imageSerde, holdoutSerde] = await Promise.all([
      serde(targets.engagementsTopic, 'engagement'),
      serde(targets.imagesTopic, 'image'),
      targets.holdoutTopic ? serde(targets.holdoutTopic, 'engagement') : Promise.resolve(undefined),
    ]);
    const kafka = new Kafka({
      clientId: 'tributary-generate', brokers: [...targets.brokers], logLevel: logLevel.NOTHING,
      retry: { retries: 3, initialRetryTime: 200 },
    });
    let producer: KafkaProducer;
    try {
      producer = await new KafkajsClient(kafka).producer();
    } catch (cause) {
      throw new TransientError(`cannot reach Kafka at ${targets.brokers.join(',')} (start it with \`npm run services:start\`): ${(cause as Error).message}`, { cause });
    }
    return new HomeFeedKafkaWriter(targets, producer, engagementSerde, imageSerde, holdoutSerde);
  }

  /** Writes every event of the iterable; returns the counts by kind. */
  async write(events: Iterable<GeneratedEvent>, options: WriteOptions): Promise<WriteProgress> {
    const started = Date.now();
    const byKind = { image: 0, engagement: 0, holdout: 0 };
    const holdoutFile = this.targets.holdoutFile ? fs.openSync(this.targets.holdoutFile, 'w') : undefined;
    const progressEvery = options.progressEveryMs ?? 1000;
    let lastProgress = started;
    let written = 0;
    let batch = new Map<string, ProducedMessage[]>();
    let batchEvents: GeneratedEvent[] = [];
    let inBatch = 0;
    const inFlight: Array<Promise<void>> = [];
    const progress = (): WriteProgress => ({ written, total: options.total, byKind: { ...byKind }, elapsedMs: Date.now() - started });
    const flush = async (): Promise<void> => {
      if (inBatch === 0) return;
      const topicMessages = [...batch].map(([topic, messages]) => ({ topic, messages }));
      batch = new Map();
      const sentEvents = batchEvents;
      batchEvents = [];
      written += inBatch;
      inBatch = 0;
      // A few batches in flight hide the broker round trip; one connection per
      // broker keeps their order, and the oldest is awaited before a new one.
      inFlight.push(this.producer.send(topicMessages, 'none').then(() => options.onSent?.(sentEvents, Date.now())));
      if (inFlight.length >= MAX_IN_FLIGHT) await inFlight.shift();
      const rate = options.rate ?? 0;
      if (rate > 0) {
        const due = started + (written / rate) * 1000;
        const wait = due - Date.now();
        if (wait > 0) await sleep(wait);
      }
      const now = Date.now();
      if (options.onProgress && now - lastProgress >= progressEvery) {
        lastProgress = now;
        options.onProgress(progress());
      }
    };
    const push = (topic: string, message: ProducedMessage): void => {
      const list = batch.get(topic) ?? [];
      list.push(message);
      batch.set(topic, list);
      inBatch++;
    };
    // Smaller batches at low rates keep the stream smooth instead of bursty.
    const batchSize = options.rate && options.rate > 0 ? Math.max(1, Math.min(BATCH, Math.round(options.rate / 20))) : BATCH;
    try {
      for (const event of events) {
        if (options.signal?.aborted) break;
        byKind[event.kind]++;
        if (options.onSent) batchEvents.push(event);
        const key = Buffer.from(event.key, 'utf8');
        const timestamp = String(event.timestamp);
        if (event.kind === 'image') {
          push(this.targets.imagesTopic, { key, value: this.imageSerde.serialize(event.value), timestamp });
        } else if (event.kind === 'engagement') {
          push(this.targets.engagementsTopic, { key, value: this.engagementSerde.serialize(event.value), timestamp });
        } else {
          if (holdoutFile !== undefined) fs.writeSync(holdoutFile, `${JSON.stringify(event.value)}\n`);
          if (this.holdoutSerde && this.targets.holdoutTopic) {
            push(this.targets.holdoutTopic, { key, value: this.holdoutSerde.serialize(event.value), timestamp });
          } else {
            written++;
          }
        }
        if (inBatch >= batchSize) await flush();
      }
      await flush();
      await Promise.all(inFlight);
    } finally {
      await Promise.allSettled(inFlight);
      if (holdoutFile !== undefined) fs.closeSync(holdoutFile);
    }
    const done = progress();
    options.onProgress?.(done);
    return done;
  }

  async close(): Promise<void> {
    await this.producer.close();
  }
}
