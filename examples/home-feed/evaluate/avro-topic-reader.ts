import type { Schema } from 'avsc';
import type { KafkaClient } from '../../../runtime/kafka/client/kafka-client';
import { AvroSerde } from '../../../schemas/serde-avro';
import { createRegistryClient } from '../../../schemas/registry-client';
import { TransientError } from '../../../core/errors';

/**
 * Reads a topic from the beginning to the end offsets (last stable offsets)
 * it had when the read started, decoding every value with the given reader
 * schema through the registry (subject `<topic>-value`). For evaluation and
 * tests; no consumer group, nothing committed.
 */
export async function readAvroTopic<T>(client: KafkaClient, registryUrl: string, topic: string, schema: Schema, options: { timeoutMs?: number } = {}): Promise<T[]> {
  const admin = await client.admin();
  let ranges;
  try {
    ranges = (await admin.topicOffsets(topic)).map((o) => ({ topic, partition: o.partition, from: o.low, to: o.high }));
  } finally {
    await admin.close();
  }
  if (ranges.every((r) => BigInt(r.from) >= BigInt(r.to))) return [];
  const serde = await AvroSerde.create({ registry: createRegistryClient({ url: registryUrl }), subject: `${topic}-value`, schema, autoRegister: false });
  const timeoutMs = options.timeoutMs ?? 60_000;
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new TransientError(`reading ${topic}: its partitions did not reach their end offsets in ${timeoutMs} ms`)), timeoutMs);
  const values: T[] = [];
  try {
    await client.readRanges(ranges, async (batch) => {
      await serde.prepare(batch.messages.map((m) => m.value));
      for (const m of batch.messages) values.push(serde.deserialize(m.value) as T);
    }, { maxBytesPerPartition: 4 << 20, signal: timeout.signal });
  } finally {
    clearTimeout(timer);
  }
  return values;
}
