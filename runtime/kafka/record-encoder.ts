import type { ProducedMessage } from './client/kafka-client';
import { context, trace } from '@opentelemetry/api';
import { injectTraceContext } from '../telemetry/trace-context';
import type { Serde } from '../../schemas/serde';
import type { StreamRecord } from '../../core/stream-record';

/** How to turn stream records into Kafka messages for one topic. */
export interface TopicEncoding {
  readonly topic: string;
  readonly key: Serde<unknown>;
  readonly value: Serde<unknown>;
  /** Write only each key's newest record of a commit interval, at the commit (a sink's `latestPerKey`). */
  readonly latestPerKey?: boolean;
}

/**
 * Encodes one output record. The partition is left to the producer's
 * partitioner (murmur2 over the key bytes, as Java clients and Kafka Streams
 * do), so downstream consumers co-partition with us.
 */
export function encodeRecord(encoding: TopicEncoding, record: StreamRecord): ProducedMessage {
  return { ...encodeRecordFrame(encoding, record), value: encoding.value.serialize(record.value) };
}

/**
 * Everything of an output record's message but its value: key, timestamp and
 * headers. A `latestPerKey` sink encodes the value only for the records it
 * writes (see LatestPerKeyBuffer).
 */
export function encodeRecordFrame(encoding: TopicEncoding, record: StreamRecord): Omit<ProducedMessage, 'value'> {
  const headers: Record<string, Buffer | string> = {};
  for (const [name, value] of Object.entries(record.headers)) {
    if (value !== undefined) headers[name] = value;
  }
  // Inside a batch span (telemetry on), outputs carry that span's W3C trace
  // context, so a downstream consumer's trace continues from this hop;
  // otherwise the input's headers (and any trace context in them) pass through.
  const traced = trace.getSpan(context.active()) ? injectTraceContext(headers) : headers;
  return {
    key: encoding.key.serialize(record.key),
    timestamp: String(Math.trunc(record.timestamp)),
    headers: traced as Record<string, Buffer | string>,
  };
}
