/** How a key or value is (de)serialized. */
export interface SerdeConfig {
  readonly format: 'avro' | 'json' | 'string' | 'bytes';
  /** Absolute path of the .avsc file, when the topology names one. */
  readonly schemaFile?: string;
  /** The parsed .avsc JSON (checked with avsc at validate time). */
  readonly schema?: unknown;
  /** Registry subject to take the latest schema from. */
  readonly subject?: string;
}
