/**
 * Base class of every error Tributary raises on purpose. Each error says
 * whether retrying the same operation can help (there is no default: the
 * thrower decides), keeps its cause, and carries context that locates it.
 */
export abstract class TributaryError extends Error {
  abstract readonly retriable: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A record that cannot be processed: poison input or an operator failure for it. */
export class RecordError extends TributaryError {
  readonly retriable = false;

  constructor(
    message: string,
    readonly context: { topic?: string; partition?: number; offset?: string; stepId?: string },
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A user mistake found before or at start-up (topology, options, CLI). */
export class ConfigError extends TributaryError {
  readonly retriable = false;

  constructor(message: string, readonly location?: { file: string; line: number; col: number }, options?: { cause?: unknown }) {
    super(location ? `${location.file}:${location.line}:${location.col} ${message}` : message, options);
  }
}

/** A failure talking to Kafka, the registry or a worker that another try may fix. */
export class TransientError extends TributaryError {
  readonly retriable = true;
}
