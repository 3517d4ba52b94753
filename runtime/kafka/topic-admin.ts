import type { KafkaAdmin } from './client/kafka-client';
import { ConfigError, TransientError } from '../../core/errors';

/** A topic the application needs, with what it should look like when created. */
export interface TopicRequirement {
  readonly topic: string;
  readonly partitions: number;
  readonly replicationFactor?: number;
  readonly config?: Readonly<Record<string, string>>;
  /** An existing topic with another partition count is refused (changelogs, repartition topics: keys would reach the wrong task). */
  readonly exactPartitions?: boolean;
  /** Why the app needs it, for the error when it is missing. */
  readonly purpose: string;
}

/**
 * Make sure every required topic exists: create the missing ones (`create`)
 * or fail naming them (`require`). Returns the partition count of each topic.
 */
export async function ensureTopics(admin: KafkaAdmin, required: readonly TopicRequirement[], mode: 'create' | 'require'): Promise<Map<string, number>> {
  const existing = new Set(await admin.listTopics());
  const missing = required.filter((t) => !existing.has(t.topic));
  if (missing.length > 0 && mode === 'require') {
    throw new ConfigError(`missing topics (topics.create is false): ${missing.map((t) => `${t.topic} (${t.purpose})`).join(', ')}`);
  }
  if (missing.length > 0) {
    try {
      await admin.createTopics(missing.map((t) => ({ topic: t.topic, partitions: t.partitions, replicationFactor: t.replicationFactor ?? 1, config: t.config ?? {} })));
    } catch (cause) {
      // Another instance may have created them first; anything else is reported below.
      const now = new Set(await admin.listTopics());
      const still = missing.filter((t) => !now.has(t.topic));
      if (still.length > 0) {
        throw new TransientError(`could not create topics ${still.map((t) => t.topic).join(', ')}: ${(cause as Error).message}`, { cause });
      }
    }
  }
  const counts = await admin.partitionCounts(required.map((t) => t.topic));
  const wrong = required.filter((t) => t.exactPartitions && counts.get(t.topic) !== undefined && counts.get(t.topic) !== t.partitions);
  if (wrong.length > 0) {
    throw new ConfigError(wrong.map((t) => `${t.topic} (${t.purpose}) has ${counts.get(t.topic)} partitions but the application needs ${t.partitions}: ` +
      'state or keys would reach the wrong task; stop every instance and delete the topic with the application\'s state to reprocess').join('; '));
  }
  return counts;
}

/** Partition counts of topics that must already exist (the sources). */
export async function partitionCounts(admin: KafkaAdmin, topics: readonly string[]): Promise<Map<string, number>> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t));
  if (missing.length > 0) throw new ConfigError(`source topics do not exist: ${missing.join(', ')}`);
  return admin.partitionCounts(topics);
}
