/**
 * The unit that flows through every pipeline: a Kafka record after
 * deserialization, or a record an operator derived from one.
 */

/** Kafka headers after decoding; values stay bytes unless a step decodes them. */
export type RecordHeaders = Record<string, Buffer | string | undefined>;

/** Where a record came from; carried so dead-letter entries can name it. */
export interface SourcePosition {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offsets are 64-bit; kept as the decimal string Kafka clients use. */
  readonly offset: string;
}

/** One record in flight. Operators return new records rather than mutating. */
export interface StreamRecord<K = unknown, V = unknown> {
  readonly key: K;
  readonly value: V;
  /** Event time in epoch milliseconds. */
  readonly timestamp: number;
  readonly headers: RecordHeaders;
  /** The input record this one derives from (absent for records made by timers). */
  readonly source?: SourcePosition;
}
