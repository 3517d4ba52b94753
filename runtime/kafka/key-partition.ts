import { murmur2 } from './client/murmur2';

export { murmur2 };

/**
 * The partition Kafka's default partitioner (Java clients, Kafka Streams, and the
 * producers of this runtime) gives a record with these key bytes:
 * `toPositive(murmur2(key)) % partitions`. Interactive queries use it to find the
 * task that owns a key, so it must be the rule records were placed by.
 */
export function partitionForKey(key: Buffer, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1) throw new RangeError(`partition count must be a positive integer, got ${partitions}`);
  return (murmur2(key) & 0x7fffffff) % partitions;
}
