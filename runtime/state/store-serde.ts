/**
 * How the typed outer layer of a store turns keys and values into the bytes
 * the inner layers move. Synchronous on purpose: a batch of reads or writes
 * converts without one await per record.
 */
export interface StoreSerde<T> {
  serialize(value: T): Buffer;
  deserialize(bytes: Buffer): T;
  /**
   * The bytes that every serialized key "starting with" `prefix` begins with,
   * for `prefixScan`. Serdes without it use `serialize(prefix)`.
   */
  prefix?(prefix: T): Buffer;
}
