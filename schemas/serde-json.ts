import type { Serde } from './serde';
import { DeserializationError, SerializationError } from './errors';

/** UTF-8 JSON; null bytes (tombstones) decode to null. */
export const jsonSerde: Serde<unknown> = {
  format: 'json',
  serialize(value) {
    if (value === null || value === undefined) return null;
    try {
      return Buffer.from(JSON.stringify(value), 'utf8');
    } catch (cause) {
      throw new SerializationError(`value cannot be written as JSON: ${(cause as Error).message}`, { cause });
    }
  },
  deserialize(bytes) {
    if (bytes === null) return null;
    try {
      return JSON.parse(bytes.toString('utf8'));
    } catch (cause) {
      throw new DeserializationError(`invalid JSON: ${(cause as Error).message}`, { cause });
    }
  },
};
