import * as v8 from 'node:v8';
import type { Serde } from './serde';
import { DeserializationError } from './errors';

/**
 * Keys and values of Tributary's own internal topics (repartition topics):
 * V8's structured-clone format, which keeps typed arrays, Maps, Dates and
 * bigints that JSON would lose. Only Tributary reads these topics.
 */
export const internalSerde: Serde<unknown> = {
  format: 'bytes',
  serialize(value) {
    return value === undefined ? null : v8.serialize(value);
  },
  deserialize(bytes) {
    if (bytes === null) return undefined;
    try {
      return v8.deserialize(bytes);
    } catch (cause) {
      throw new DeserializationError(`internal record does not decode: ${(cause as Error).message}`, { cause });
    }
  },
};
