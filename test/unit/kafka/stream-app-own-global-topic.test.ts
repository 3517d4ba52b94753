/**
 * StreamApp start-up with a global store that the app fills itself (a sink on
 * the store's topic), against a scripted client: the topic need not exist, and
 * it is created like a sink, compacted.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { GroupConsumer, KafkaAdmin, KafkaClient, KafkaProducer, NewTopic } from '../../../runtime/kafka/client/kafka-client';
import { StreamApp } from '../../../runtime/kafka/stream-app';
import { createTaskPipeline } from '../../../runtime/kafka/pipeline-factory';
import { createLogger } from '../../../core/logger';
import { loadTopologyText } from '../../../topology';

/** A broker that has only the input topic; records the topics the app creates. */
class ScriptedClient implements KafkaClient {
  readonly library = 'scripted';
  readonly topics = new Map<string, number>([['in-t', 3]]);
  readonly created: NewTopic[] = [];

  async checkConnection(): Promise<void> {}

  async admin(): Promise<KafkaAdmin> {
    return {
      listTopics: async () => [...this.topics.keys()],
      createTopics: async (topics) => {
        for (const t of topics) { this.created.push(t); this.topics.set(t.topic, t.partitions); }
      },
      partitionCounts: async (topics) => new Map(topics.map((t) => {
        const n = this.topics.get(t);
        if (n === undefined) throw new Error(`unknown topic ${t}`);
        return [t, n];
      })),
      topicOffsets: async (topic) => Array.from({ length: this.topics.get(topic) ?? 0 }, (_, partition) => ({ partition, low: '0', high: '0' })),
      groupOffsets: async () => [],
      describeGroup: async (groupId) => ({ groupId, state: 'Empty', members: [] }),
      deleteTopics: async () => undefined,
      offsetsForTimestamp: async () => [],
      setGroupOffsets: async () => undefined,
      deleteRecordsBefore: async () => undefined,
      timeRetentionMs: async () => new Map(),
      close: async () => undefined,
    };
  }

  async producer(): Promise<KafkaProducer> {
    return { send: async () => [], close: async () => undefined };
  }

  transactionalProducer(): Promise<never> {
    return Promise.reject(new Error('not scripted'));
  }

  groupConsumer(): GroupConsumer {
    return { run: async () => undefined, seek: () => undefined, pause: () => undefined, resume: () => undefined, commitOffsets: async () => undefined, stop: async () => undefined, close: async () => undefined };
  }

  /** The global store's reader and the alignment exchange follow their topics until stopped. */
  readRanges(_ranges: unknown, _onBatch: unknown, options: { signal?: AbortSignal }): Promise<void> {
    return new Promise((resolve) => options.signal?.addEventListener('abort', () => resolve(), { once: true }));
  }

  isRecoverable(): boolean {
    return false;
  }
}

describe('StreamApp with a global store filled by its own sink (scripted client)', () => {
  it('creates the store\'s topic like a sink, with the inputs\' partition count, compacted, instead of refusing a missing source', async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'own-global-'));
    const text = `name: own-global
processing: { stateDir: ${stateDir} }
sources:
  in: { topic: in-t, key: string, value: json }
  table: { topic: table-t, key: string, value: json }
stores:
  rows: { kind: key-value, global: table }
pipelines:
  main: { from: in, to: table-out }
sinks:
  table-out: { topic: table-t, key: string, value: json }
`;
    const loaded = loadTopologyText(text, path.join(stateDir, 'own-global.yaml'), { env: {} });
    assert.ok(loaded.topology, loaded.problems.map((p) => p.message).join('; '));
    const topology = loaded.topology;
    const client = new ScriptedClient();
    const app = new StreamApp({ topology, logger: createLogger('test', 'error'), client, createPipeline: (r) => createTaskPipeline(topology, r), onFatal: () => undefined });
    try {
      await app.start();
      const table = client.created.find((t) => t.topic === 'table-t');
      assert.deepEqual(table && { partitions: table.partitions, config: table.config }, { partitions: 3, config: { 'cleanup.policy': 'compact' } });
      assert.deepEqual(app.globals?.names, ['rows']);
    } finally {
      await app.stop();
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
