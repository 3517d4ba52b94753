import type { MessageHeaders, ProducedMessage } from './client/kafka-client';

/** Header names on dead-letter records; values are UTF-8 strings. */
export const DLQ_HEADERS = {
  error: 'tributary.error.message',
  errorClass: 'tributary.error.class',
  stage: 'tributary.error.stage',
  stepId: 'tributary.error.step',
  topic: 'tributary.source.topic',
  partition: 'tributary.source.partition',
  offset: 'tributary.source.offset',
} as const;

/** Where a record failed: while decoding it, or in a step. */
export type FailureStage = 'deserialize' | 'step' | 'serialize';

export interface DeadLetter {
  readonly stage: FailureStage;
  readonly error: unknown;
  readonly stepId?: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** The original bytes, kept as they arrived so nothing is lost. */
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: MessageHeaders;
}

/** The message written to the dead-letter topic for one failed record. */
export function deadLetterMessage(entry: DeadLetter): ProducedMessage {
  const error = entry.error instanceof Error ? entry.error : new Error(String(entry.error));
  return {
    key: entry.key,
    value: entry.value,
    headers: {
      ...(entry.headers ?? {}),
      [DLQ_HEADERS.error]: error.message.slice(0, 2000),
      [DLQ_HEADERS.errorClass]: error.name,
      [DLQ_HEADERS.stage]: entry.stage,
      ...(entry.stepId ? { [DLQ_HEADERS.stepId]: entry.stepId } : {}),
      [DLQ_HEADERS.topic]: entry.topic,
      [DLQ_HEADERS.partition]: String(entry.partition),
      [DLQ_HEADERS.offset]: entry.offset,
    },
  };
}
