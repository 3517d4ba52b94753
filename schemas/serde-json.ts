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
      throw new DeserializationError(`invalid JSON: ${withoutExcerpt((cause as Error).message)}`, { cause });
    }
  },
};

/**
 * V8 quotes the start of the text it failed on (`Unexpected token 'x', "xyz…" is
 * not valid JSON`); records' contents must not reach logs, so the excerpt goes.
 */
function withoutExcerpt(message: string): string {
  return /\bis not valid JSON$/.test(message) ? 'unexpected token' : message;
}
