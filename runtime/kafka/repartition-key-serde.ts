import type { Serde } from '../../schemas/serde';
import { ConfigError } from '../../core/errors';

/**
 * A repartition topic still holds records keyed in the structured-clone
 * format of Tributary before co-partitioned keys. Mixing the two would put
 * equal keys on different partitions, so the app stops instead.
 */
export class LegacyRepartitionFormatError extends ConfigError {
  constructor(topic: string, app: string) {
    super(`repartition topic ${topic} holds records written by an older Tributary (structured-clone keys, partitioned apart from user topics); ` +
      `stop every instance of ${app}, delete the topic (and the app's other internal topics and state directory to reprocess from the start), then start again`);
  }
}

/** V8's structured-clone header: 0xFF then the format version (13–15 in supported Node versions). */
function isStructuredClone(bytes: Buffer): boolean {
  return bytes.length >= 2 && bytes[0] === 0xff && bytes[1] >= 0x0d && bytes[1] <= 0x0f;
}

/**
 * The key serde of a repartition topic: the co-partitioned user source's key
 * serde (`keyFormat`), so a key's bytes — and the murmur2 partition the
 * producer picks from them — equal those of the same key in the user topic.
 * Reading refuses the old structured-clone keys (valid UTF-8, JSON and the
 * Confluent Avro framing never start with 0xFF).
 */
export function repartitionKeySerde(keyFormat: Serde<unknown>, topic: string, app: string): Serde<unknown> {
  const checksLegacy = keyFormat.format !== 'bytes';
  return {
    format: keyFormat.format,
    serialize: (value) => keyFormat.serialize(value),
    deserialize(bytes) {
      if (checksLegacy && bytes !== null && isStructuredClone(bytes)) throw new LegacyRepartitionFormatError(topic, app);
      return keyFormat.deserialize(bytes);
    },
    ...(keyFormat.prepare ? { prepare: (messages: ReadonlyArray<Buffer | null>) => keyFormat.prepare!(messages) } : {}),
  };
}
