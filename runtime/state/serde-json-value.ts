import { deserialize as v8Deserialize } from 'node:v8';
import type { StoreSerde } from './store-serde';

/**
 * The default value serde: UTF-8 JSON. Readable in the changelog topic with
 * any Kafka tool; values must be JSON-representable (no `undefined`,
 * `Map`, typed arrays — give such stores `format: structured-clone`).
 */
export const jsonValueSerde: StoreSerde<unknown> = {
  serialize(value: unknown): Buffer {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`a store value must be JSON-representable, got ${typeof value}`);
    return Buffer.from(text, 'utf8');
  },
  deserialize: readStoreValue,
};

/**
 * Reads a store value written in either format, so that a store can change its
 * `format` without a reset: V8's serializer starts its output with the version
 * tag 0xFF, a byte that UTF-8 text (JSON) never holds.
 */
export function readStoreValue(bytes: Buffer): unknown {
  return bytes.length > 0 && bytes[0] === 0xff ? v8Deserialize(bytes) : JSON.parse(bytes.toString('utf8'));
}
