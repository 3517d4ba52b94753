import type { SerdeFormat } from './serde';

/** How a key or value is (de)serialized. */
export interface SerdeConfig {
  readonly format: SerdeFormat;
  /** Absolute path of the schema file (.avsc, .proto or JSON Schema), when the topology names one. */
  readonly schemaFile?: string;
  /**
   * The schema: parsed .avsc JSON (checked with avsc at validate time), a
   * compiled .proto file (a ProtoSchema), or a parsed JSON Schema.
   */
  readonly schema?: unknown;
  /** Protobuf: the message type that keys or values are (`package.Message`). */
  readonly messageType?: string;
  /** Registry subject to take the latest schema from. */
  readonly subject?: string;
}
