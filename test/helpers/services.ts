/**
 * Helpers for integration tests against the real local services. A missing
 * service is a test failure with instructions, never a silent skip.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type KafkaMessage, type Consumer } from 'kafkajs';
import { createTopicsWithLeaders, type TopicToCreate } from './kafka-topics';

export const KAFKA_BROKERS = (process.env.TRIBUTARY_TEST_BROKERS ?? '127.0.0.1:9092').split(',');
export const REGISTRY_URL = process.env.TRIBUTARY_TEST_REGISTRY ?? 'http://127.0.0.1:8081/apis/ccompat/v7';

const HOW_TO_START = 'start the local services with `npm run services:start` (or run `npm test`, which starts them)';

/**
 * Producer options for test input. kafkajs retries a whole produce request when one of its
 * partitions fails (a new topic's leader not known yet), so a plain producer writes the
 * partitions that succeeded twice; an idempotent one lets the broker drop the repeats.
 */
export const IDEMPOTENT = { idempotent: true, maxInFlightRequests: 1 } as const;

/** A kafkajs client for tests, quiet unless something is wrong. */
export function testKafka(clientId = 'tributary-test'): Kafka {
  return new Kafka({ clientId, brokers: KAFKA_BROKERS, logLevel: logLevel.ERROR, retry: { retries: 3 } });
}

/** Fails with instructions when the broker does not answer. */
export async function requireKafka(): Promise<void> {
  const admin = new Kafka({ clientId: 'probe', brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING, connectionTimeout: 2000, retry: { retries: 1 } }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
  } catch (err) {
    throw new Error(`Kafka is not reachable at ${KAFKA_BROKERS.join(',')}: ${(err as Error).message}; ${HOW_TO_START}`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Fails with instructions when the schema registry does not answer. */
export async function requireRegistry(): Promise<void> {
  try {
    const response = await fetch(`${REGISTRY_URL}/subjects`, { signal: AbortSignal.timeout(3000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
  } catch (err) {
    throw new Error(`the schema registry is not reachable at ${REGISTRY_URL}: ${(err as Error).message}; ${HOW_TO_START}`);
  }
}

/** A topic name no other test uses. */
export function randomTopic(prefix = 't'): string {
  return `${prefix}-${randomUUID()}`;
}

/** Create topics (waiting for leaders) with an admin that is then closed. */
/** Creates topics and waits until every partition has a leader (see kafka-topics.ts). */
export async function createTopics(kafka: Kafka, topics: readonly TopicToCreate[]): Promise<void> {
  await createTopicsWithLeaders(kafka, topics);
}

export interface Received {
  readonly partition: number;
  readonly message: KafkaMessage;
}

/**
 * Consume a topic from the beginning in a fresh group until `count` messages
 * arrived (or `done` says so) or `timeoutMs` passed; resolves with what
 * arrived (the caller asserts).
 */
export async function consumeMessages(
  kafka: Kafka,
  topic: string,
  count: number,
  options: { timeoutMs?: number; readUncommitted?: boolean; done?: (received: readonly Received[]) => boolean } = {},
): Promise<Received[]> {
  const consumer: Consumer = kafka.consumer({ groupId: `g-${randomUUID()}`, readUncommitted: options.readUncommitted ?? false });
  const received: Received[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.timeoutMs ?? 30000);
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          received.push({ partition, message });
          if (options.done ? options.done(received) : received.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return received;
}
