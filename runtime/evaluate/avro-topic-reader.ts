import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { Schema } from 'avsc';
import { AvroSerde } from '../../schemas/serde-avro';
import { createRegistryClient } from '../../schemas/registry-client';
import { TransientError } from '../errors';

/**
 * Reads a topic from the beginning to the end offsets it had when the read
 * started, decoding every value with the given reader schema through the
 * registry (subject `<topic>-value`). For evaluation and tests: a fresh
 * consumer group each time, nothing committed that matters.
 */
export async function readAvroTopic<T>(kafka: Kafka, registryUrl: string, topic: string, schema: Schema, options: { timeoutMs?: number } = {}): Promise<T[]> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    ends = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
  const remaining = new Set([...ends].filter(([, high]) => high > 0n).map(([p]) => p));
  if (remaining.size === 0) return [];
  const serde = await AvroSerde.create({ registry: createRegistryClient({ url: registryUrl }), subject: `${topic}-value`, schema, autoRegister: false });
  const consumer = kafka.consumer({ groupId: `tributary-read-${randomUUID()}` });
  const values: T[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new TransientError(`reading ${topic}: partitions ${[...remaining].join(',')} did not reach their end offsets in ${options.timeoutMs ?? 60_000} ms`)), options.timeoutMs ?? 60_000);
      consumer.run({
        eachBatch: async ({ batch }) => {
          const messages = batch.messages.filter((m) => BigInt(m.offset) < (ends.get(batch.partition) ?? 0n));
          await serde.prepare(messages.map((m) => m.value));
          for (const m of messages) values.push(serde.deserialize(m.value) as T);
          const last = batch.messages[batch.messages.length - 1];
          if (last && BigInt(last.offset) + 1n >= (ends.get(batch.partition) ?? 0n)) remaining.delete(batch.partition);
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      }).catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return values;
}
