/**
 * Java's `org.apache.kafka.common.utils.Utils.murmur2` (seed 0x9747b28c), as a signed 32-bit
 * integer: the hash of Kafka's default partitioner (Java clients, Kafka Streams, kafkajs'
 * DefaultPartitioner, which patch 9 of kafkajs-patches.ts points here).
 */
export function murmur2(data: Buffer): number {
  const length = data.length;
  const m = 0x5bd1e995;
  let h = 0x9747b28c ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const rest = length & 3;
  if (rest === 3) h ^= data[whole + 2] << 16;
  if (rest >= 2) h ^= data[whole + 1] << 8;
  if (rest >= 1) {
    h ^= data[whole];
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** kafkajs' murmur2 module's signature: a Buffer, or anything else as the UTF-8 of its text. */
export function kafkajsMurmur2(key: unknown): number {
  return murmur2(Buffer.isBuffer(key) ? key : Buffer.from(String(key)));
}
