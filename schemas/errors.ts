import { TributaryError } from '../core/errors';

/** A record's bytes do not decode (poison input): never retriable, goes to the DLQ. */
export class DeserializationError extends TributaryError {
  readonly retriable = false;
}

/** A value does not fit the schema it is written with. */
export class SerializationError extends TributaryError {
  readonly retriable = false;
}

/**
 * The schema registry refused or failed a request. Network failures and 5xx
 * answers may pass on retry; 4xx answers (unknown subject, incompatible
 * schema, bad credentials) will not.
 */
export class RegistryError extends TributaryError {
  constructor(message: string, readonly retriable: boolean, options?: { cause?: unknown }) {
    super(message, options);
  }
}
