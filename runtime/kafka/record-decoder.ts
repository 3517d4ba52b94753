import type { ConsumedMessage, MessageHeaders } from './client/kafka-client';
import type { Serde } from '../../schemas/serde';
import type { ErrorPolicy } from '../../topology/compiled-topology';
import type { EventTimeReader } from '../processing/event-time';
import type { StreamRecord, RecordHeaders } from '../../core/stream-record';
import type { DeadLetter } from './dead-letter';
import { DeserializationError } from '../../schemas/errors';
import { ConfigError, RecordError } from '../../core/errors';

/** How to turn one topic's Kafka messages into stream records. */
export interface TopicDecoding {
  readonly topic: string;
  readonly key: Serde<unknown>;
  readonly value: Serde<unknown>;
  /** The source's event-time rule (processing/event-time.ts); absent: the Kafka record timestamp. */
  readonly eventTime?: EventTimeReader;
  /**
   * The source's policy for a message that does not decode: `dead-letter`
   * (the default) sets it aside for the DLQ, `skip` drops it (telling
   * `onSkip`), `fail` rejects the batch with a {@link SourceDecodeError}.
   */
  readonly onError?: ErrorPolicy;
  /** Told about every message dropped under `onError: skip` (counting and logging). */
  readonly onSkip?: (skipped: SkippedMessage) => void;
}

/** A message dropped under `onError: skip`: where it was and why, never its bytes. */
export interface SkippedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly error: unknown;
}

/**
 * A message of a source whose policy is `fail` did not decode: the app stops.
 * Names the position and the decode problem (never the record's bytes); not retriable.
 */
export class SourceDecodeError extends RecordError {
  constructor(topic: string, partition: number, offset: string, cause: unknown) {
    super(`record at ${topic}/${partition}@${offset} does not deserialize (source onError: fail): ${cause instanceof Error ? cause.message : String(cause)}`,
      { topic, partition, offset }, { cause });
  }
}

/** A decoded batch: good records in offset order, and the poison ones kept whole for the DLQ. */
export interface DecodedBatch {
  readonly records: StreamRecord[];
  readonly poison: DeadLetter[];
}

/**
 * Decodes a consumer batch of one partition. Remote lookups (unknown Avro
 * schema ids) happen once for the batch in `prepare`; decoding itself is
 * synchronous. A message that fails to decode is handled by the source's
 * policy: set aside with its original bytes and position (dead-letter),
 * dropped (skip) while the others go on, or the batch rejects (fail).
 */
export async function decodeBatch(decoding: TopicDecoding, partition: number, messages: readonly ConsumedMessage[]): Promise<DecodedBatch> {
  await decoding.key.prepare?.(messages.map((m) => m.key));
  await decoding.value.prepare?.(messages.map((m) => m.value));
  const records: StreamRecord[] = [];
  const poison: DeadLetter[] = [];
  for (const message of messages) {
    try {
      const key = decoding.key.deserialize(message.key);
      const value = decoding.value.deserialize(message.value);
      const headers = decodeHeaders(message.headers);
      const record: { -readonly [F in keyof StreamRecord]: StreamRecord[F] } = { key, value, headers, timestamp: Number(message.timestamp), source: { topic: decoding.topic, partition, offset: message.offset } };
      // Stamped in place: one object per record on the hot path, not a copy per event-time source.
      if (decoding.eventTime) record.timestamp = decoding.eventTime(record);
      records.push(record);
    } catch (error) {
      // A configuration problem (an internal topic of another format) is no bad record: the app stops.
      if (error instanceof ConfigError) throw error;
      if (decoding.onError === 'fail') throw new SourceDecodeError(decoding.topic, partition, message.offset, error);
      if (decoding.onError === 'skip') {
        decoding.onSkip?.({ topic: decoding.topic, partition, offset: message.offset, error });
        continue;
      }
      poison.push({
        stage: 'deserialize',
        error,
        topic: decoding.topic,
        partition,
        offset: message.offset,
        key: message.key,
        value: message.value,
        headers: message.headers,
      });
    }
  }
  return { records, poison };
}

function decodeHeaders(headers: MessageHeaders | undefined): RecordHeaders {
  const out: Record<string, Buffer | string | undefined> = {};
  if (!headers) return out;
  for (const [name, value] of Object.entries(headers)) {
    out[name] = Array.isArray(value) ? value[value.length - 1] : value;
  }
  return out;
}
