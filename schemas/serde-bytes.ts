import type { Serde } from './serde';

/** Raw bytes, passed through unchanged. */
export const bytesSerde: Serde<Buffer | null> = {
  format: 'bytes',
  serialize(value) {
    return value ?? null;
  },
  deserialize(bytes) {
    return bytes;
  },
};
