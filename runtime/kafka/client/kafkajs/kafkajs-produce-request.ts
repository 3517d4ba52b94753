/**
 * kafkajs' Produce request v3 (`src/protocol/requests/produce/v3/request`; v4 and v5 reuse it),
 * the same request without two per-record costs: kafkajs copied every message into a new object
 * (`{ ...message, offsetDelta, timestampDelta }`) before encoding it, and found a batch's first
 * and last timestamps by sorting them as strings. Here each record is encoded from the message
 * as it is (kafkajs-record-encoder.ts), and the timestamps are the numeric minimum and maximum,
 * which is also right where kafkajs' string order was not (timestamps of different lengths).
 */
import type { EncodedRecord, RecordFields } from './kafkajs-record-encoder';
import { encodeRecord } from './kafkajs-record-encoder';

/** kafkajs' Encoder, as far as this request uses it. */
interface Encoder {
  writeString(value: string | null): Encoder;
  writeInt16(value: number): Encoder;
  writeInt32(value: number): Encoder;
  writeArray(value: unknown[]): Encoder;
  writeEncoder(value: unknown): Encoder;
}

/** The kafkajs internals the request is built from, loaded when the first request encodes. */
interface Internals {
  readonly Encoder: new () => Encoder;
  readonly RecordBatch: (args: Record<string, unknown>) => Promise<{ size(): number }>;
  readonly apiKey: number;
  readonly noCompression: number;
  readonly noProducerId: unknown;
}

let internals: Internals | undefined;
function load(): Internals {
  /* eslint-disable @typescript-eslint/no-require-imports */
  internals ??= {
    Encoder: require('kafkajs/src/protocol/encoder'),
    RecordBatch: require('kafkajs/src/protocol/recordBatch/v0').RecordBatch,
    apiKey: require('kafkajs/src/protocol/requests/apiKeys').Produce,
    noCompression: require('kafkajs/src/protocol/message/compression').Types.None,
    noProducerId: require('kafkajs/src/utils/long').fromInt(-1),
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  return internals;
}

/** A message as kafkajs' producer hands it to the request. */
interface Message extends RecordFields {
  readonly timestamp?: string | number | null;
}

interface PartitionData {
  readonly partition: number;
  readonly firstSequence?: number;
  readonly messages: readonly Message[];
}

interface TopicData {
  readonly topic: string;
  readonly partitions: readonly PartitionData[];
}

interface ProduceArgs {
  readonly acks: number;
  readonly timeout: number;
  readonly transactionalId?: string | null;
  readonly producerId?: unknown;
  readonly producerEpoch?: number;
  readonly compression?: number;
  readonly topicData: readonly TopicData[];
}

/** The Produce v3 request, as kafkajs' module exports it. */
export function produceRequestV3({ acks, timeout, transactionalId = null, producerId, producerEpoch = 0, compression, topicData }: ProduceArgs) {
  const k = load();
  return {
    apiKey: k.apiKey,
    apiVersion: 3,
    apiName: 'Produce',
    expectResponse: () => acks !== 0,
    encode: async () => {
      const topics: Encoder[] = [];
      for (const data of topicData) {
        const partitions: Encoder[] = [];
        for (const p of data.partitions) {
          partitions.push(await encodePartition(k, p, {
            compression: compression ?? k.noCompression, transactionalId, producerId: producerId ?? k.noProducerId, producerEpoch,
          }));
        }
        topics.push(new k.Encoder().writeString(data.topic).writeArray(partitions));
      }
      return new k.Encoder().writeString(transactionalId).writeInt16(acks).writeInt32(timeout).writeArray(topics);
    },
  };
}

async function encodePartition(
  k: Internals,
  { partition, firstSequence, messages }: PartitionData,
  batch: { compression: number; transactionalId: string | null; producerId: unknown; producerEpoch: number },
): Promise<Encoder> {
  const now = Date.now();
  let first = Infinity;
  let last = -Infinity;
  for (const m of messages) {
    if (m.timestamp === null || m.timestamp === undefined) continue;
    const t = Number(m.timestamp);
    if (t < first) first = t;
    if (t > last) last = t;
  }
  if (first === Infinity) first = last = now;
  const records: EncodedRecord[] = new Array(messages.length);
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    // kafkajs' rule: a message without a timestamp (or with 0) is stamped now.
    const timestamp = m.timestamp ? Number(m.timestamp) : now;
    records[i] = encodeRecord({ key: m.key, value: m.value, headers: m.headers, offsetDelta: i, timestampDelta: timestamp - first });
  }
  const recordBatch = await k.RecordBatch({
    compression: batch.compression,
    records,
    firstTimestamp: first,
    maxTimestamp: last,
    producerId: batch.producerId,
    producerEpoch: batch.producerEpoch,
    firstSequence,
    transactional: !!batch.transactionalId,
    lastOffsetDelta: records.length - 1,
  });
  return new k.Encoder().writeInt32(partition).writeInt32(recordBatch.size()).writeEncoder(recordBatch);
}
