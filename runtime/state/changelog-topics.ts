import type { KafkaAdmin, NewTopic } from '../kafka/client/kafka-client';
import { StateStoreError } from './errors';
import type { StoreDefinition } from './store-definition';

/** A changelog topic to create. */
export interface ChangelogTopicSpec {
  readonly topic: string;
  /** The input topic's partition count: changelog partition n belongs to task n. */
  readonly partitions: number;
  /** Window stores: windows older than this are dropped by Kafka too (`compact,delete`). */
  readonly retentionMs?: number;
  readonly replicationFactor?: number;
}

/**
 * The changelog topics of an application's logged stores
 * (`<app>-<store>-changelog`), one partition per input partition.
 */
export function changelogTopicSpecs(appId: string, stores: ReadonlyArray<StoreDefinition>, inputPartitions: number): ChangelogTopicSpec[] {
  return stores
    .filter((s) => s.changelog)
    .map((s) => ({
      topic: `${appId}-${s.name}-changelog`,
      partitions: inputPartitions,
      retentionMs: s.kind === 'window' ? s.retentionMs : undefined,
    }));
}

/**
 * Creates changelog topics compacted (`cleanup.policy=compact`; window stores
 * `compact,delete` with `retention.ms` = retention + 1 day, so expired windows
 * leave the topic as they leave RocksDB). Existing topics are checked: a
 * changelog with a different partition count would put state on the wrong
 * task, so it is an error.
 */
export async function createChangelogTopics(admin: KafkaAdmin, specs: readonly ChangelogTopicSpec[]): Promise<void> {
  if (specs.length === 0) return;
  const existing = new Set(await admin.listTopics());
  const missing: NewTopic[] = [];
  for (const spec of specs) {
    if (existing.has(spec.topic)) continue;
    const config: Record<string, string> = { 'cleanup.policy': spec.retentionMs === undefined ? 'compact' : 'compact,delete' };
    if (spec.retentionMs !== undefined) config['retention.ms'] = String(spec.retentionMs + 86_400_000);
    missing.push({ topic: spec.topic, partitions: spec.partitions, replicationFactor: spec.replicationFactor ?? -1, config });
  }
  if (missing.length > 0) {
    try {
      await admin.createTopics(missing);
    } catch (cause) {
      throw new StateStoreError(`cannot create changelog topics ${missing.map((t) => t.topic).join(', ')}: ${(cause as Error).message}`, true, {}, { cause });
    }
  }
  const present = specs.filter((s) => existing.has(s.topic));
  if (present.length > 0) {
    const counts = await admin.partitionCounts(present.map((s) => s.topic));
    for (const spec of present) {
      const found = counts.get(spec.topic);
      if (found !== undefined && found !== spec.partitions) {
        throw new StateStoreError(
          `changelog ${spec.topic} has ${found} partitions but the input has ${spec.partitions}: state would land on the wrong task`,
          false);
      }
    }
  }
}
