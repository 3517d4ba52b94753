import type { StoreSerde } from './store-serde';

/**
 * The default value serde: UTF-8 JSON. Readable in the changelog topic with
 * any Kafka tool; values must be JSON-representable (no `undefined`,
 * `Map`, typed arrays — give such stores their own serde).
 */
export const jsonValueSerde: StoreSerde<unknown> = {
  serialize(value: unknown): Buffer {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`a store value must be JSON-representable, got ${typeof value}`);
    return Buffer.from(text, 'utf8');
  },
  deserialize(bytes: Buffer): unknown {
    return JSON.parse(bytes.toString('utf8'));
  },
};
