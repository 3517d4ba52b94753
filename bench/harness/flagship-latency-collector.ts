import type { Consumer, Kafka } from 'kafkajs';
import type { Schema } from 'avsc';
import { AvroSerde } from '../../schemas/serde-avro';
import { createRegistryClient } from '../../schemas/registry-client';
import { loadHomeFeedSchema } from '../../examples/home-feed/generate/home-feed-schemas';
import type { RecommendationEvent } from '../../examples/home-feed/generate/home-feed-events';

/** One recommendation update as the consumer saw it. */
export interface ArrivedUpdate {
  readonly userId: string;
  readonly trigger: string;
  /** Kafka timestamp of the output record: the triggering event's event time. */
  readonly triggerTimeMs: number;
  /** The record's `eventTime` field (the user's newest reflected action). */
  readonly eventTimeMs: number;
  /** Wall clock when the consumer got the batch holding it. */
  readonly receivedAtMs: number;
}

/**
 * A consumer of the flagship's output topic that notes, for every recommendation, its trigger,
 * its Kafka timestamp and the wall-clock moment its fetch arrived. It decodes through the
 * registry like any downstream service, and is started before the input flows so that no fetch
 * of old records inflates the figures.
 */
export class FlagshipLatencyCollector {
  /** Every update received, in arrival order. */
  readonly updates: ArrivedUpdate[] = [];
  private consumer?: Consumer;

  constructor(private readonly kafka: Kafka, private readonly registryUrl: string, private readonly topic: string, private readonly groupId: string) {}

  /** Connects, subscribes from the beginning and resolves once the group has assigned the partitions (at most `timeoutMs`). */
  async start(timeoutMs = 60_000): Promise<void> {
    const serde = await AvroSerde.create({
      registry: createRegistryClient({ url: this.registryUrl }), subject: `${this.topic}-value`,
      schema: JSON.parse(loadHomeFeedSchema('recommendation').text) as Schema, autoRegister: false,
    });
    const consumer = this.kafka.consumer({ groupId: this.groupId, maxWaitTimeInMs: 100 });
    this.consumer = consumer;
    let timer: NodeJS.Timeout | undefined;
    const joined = new Promise<void>((resolve, reject) => {
      consumer.on(consumer.events.GROUP_JOIN, () => resolve());
      timer = setTimeout(() => reject(new Error(`latency consumer did not join its group within ${timeoutMs} ms`)), timeoutMs);
    });
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const receivedAtMs = Date.now();
        await serde.prepare(batch.messages.map((m) => m.value));
        for (const m of batch.messages) {
          const update = serde.deserialize(m.value) as RecommendationEvent;
          this.updates.push({ userId: update.userId, trigger: update.trigger, triggerTimeMs: Number(m.timestamp), eventTimeMs: update.eventTime, receivedAtMs });
        }
      },
    });
    try {
      await joined;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Leaves the group and disconnects. */
  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
