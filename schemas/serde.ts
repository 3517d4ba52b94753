/**
 * Turns record keys and values into bytes and back. `deserialize` is
 * synchronous so a batch decodes without one await per record; serdes that
 * need remote lookups (Avro writer schemas by id) do them once per batch in
 * `prepare`, which the runtime awaits before decoding.
 */
export interface Serde<T = unknown> {
  readonly format: SerdeFormat;
  serialize(value: T): Buffer | null;
  /** Throws DeserializationError for bytes that do not decode. */
  deserialize(bytes: Buffer | null): T;
  /** Fetch whatever `deserialize` will need for these messages (e.g. unknown schema ids). */
  prepare?(messages: ReadonlyArray<Buffer | null>): Promise<void>;
}

export type SerdeFormat = 'avro' | 'protobuf' | 'json-schema' | 'json' | 'string' | 'bytes';

/** The formats whose schemas live in the registry (Confluent wire format). */
export const REGISTRY_FORMATS: readonly SerdeFormat[] = ['avro', 'protobuf', 'json-schema'];
