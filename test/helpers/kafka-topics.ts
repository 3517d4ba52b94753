import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

/** The local broker of deploy/local/services.sh. */
export const DEFAULT_BROKERS = ['127.0.0.1:9092'];

/**
 * A kafkajs client that logs nothing (bench output stays readable). `patientRetries`
 * keeps retrying for a minute, for clients that must ride out a broker restart.
 */
export function benchKafka(brokers: readonly string[] = DEFAULT_BROKERS, clientId = 'tributary-bench', patientRetries = false): Kafka {
  return new Kafka({
    clientId,
    brokers: [...brokers],
    // Errors reach callers as exceptions; kafkajs' own log would repeat retried ones (a new topic's metadata lag).
    logLevel: logLevel.NOTHING,
    ...(patientRetries ? { retry: { retries: 30, initialRetryTime: 300, maxRetryTime: 5000 } } : {}),
  });
}

/**
 * Creates a topic with a random name (auto-creation is off on the local broker) and returns
 * the name. Fails with `npm run services:start` in the message when the broker is absent.
 */
export async function createRandomTopic(kafka: Kafka, prefix: string, partitions: number, config: Record<string, string> = {}): Promise<string> {
  const topic = `${prefix}-${randomUUID()}`;
  await createTopicsWithLeaders(kafka, [{ topic, partitions, config }]);
  return topic;
}

export interface TopicToCreate {
  readonly topic: string;
  readonly partitions: number;
  readonly config?: Record<string, string>;
}

/**
 * Creates topics and returns once every partition of each has a leader. kafkajs' own
 * `waitForLeaders` gives up on "does not host this topic-partition" while a fresh broker's
 * metadata catches up, so this polls the metadata instead (bounded: 30 s).
 */
export async function createTopicsWithLeaders(kafka: Kafka, topics: readonly TopicToCreate[]): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(`Kafka does not answer (${(err as Error).message}); start it with npm run services:start`);
  }
  try {
    // false when a topic exists already: then its partitions are checked like a new one's.
    await admin.createTopics({
      waitForLeaders: false,
      topics: topics.map((t) => ({ topic: t.topic, numPartitions: t.partitions, replicationFactor: 1, configEntries: Object.entries(t.config ?? {}).map(([name, value]) => ({ name, value })) })),
    });
    const deadline = Date.now() + 30_000;
    for (const { topic, partitions } of topics) {
      for (;;) {
        try {
          const meta = await admin.fetchTopicMetadata({ topics: [topic] });
          const parts = meta.topics[0]?.partitions ?? [];
          if (parts.length === partitions && parts.every((p) => p.leader >= 0)) break;
        } catch (err) {
          if (Date.now() > deadline) throw err;
        }
        if (Date.now() > deadline) throw new Error(`topic ${topic} does not have ${partitions} partitions with a leader each after 30 s`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

/** Deletes topics, ignoring ones already gone: used to leave the shared broker tidy. */
export async function deleteTopics(kafka: Kafka, topics: readonly string[]): Promise<void> {
  if (topics.length === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const gone = topics.filter((t) => existing.has(t));
    if (gone.length > 0) await admin.deleteTopics({ topics: gone, timeout: 30_000 });
  } finally {
    await admin.disconnect();
  }
}

/** Sum over partitions of the high watermark minus the low one (records + transaction markers). */
export async function topicSpan(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
}
