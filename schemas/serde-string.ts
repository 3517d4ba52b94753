import type { Serde } from './serde';

/** UTF-8 strings; non-string values are written with String(). */
export const stringSerde: Serde<string | null> = {
  format: 'string',
  serialize(value) {
    return value === null || value === undefined ? null : Buffer.from(String(value), 'utf8');
  },
  deserialize(bytes) {
    return bytes === null ? null : bytes.toString('utf8');
  },
};
