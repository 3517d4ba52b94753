import * as avro from 'avsc';
import type { SchemaInfo } from '@confluentinc/schemaregistry';
import type { Serde } from './serde';
import { frame, schemaIdOf, HEADER_SIZE } from './wire-format';
import { DeserializationError, SerializationError } from './errors';
import { fetchWriterSchema, messageOf, resolveSchemaId, type SubjectBinding } from './schema-id-resolution';

/** Options of an Avro serde bound to one subject. */
export interface AvroSerdeOptions extends SubjectBinding {
  /** The application's schema (parsed .avsc JSON): what it writes, and how it reads. */
  readonly schema: avro.Schema;
}

interface WriterEntry {
  /** Decodes bytes written with this schema id into the reader schema's shape. */
  readonly decode: (payload: Buffer) => unknown;
}

/**
 * Avro in the Confluent wire format. The registry is asked once per schema id;
 * encoding and decoding run through cached avsc types (a resolver per older
 * writer schema, so records written with a compatible older version read
 * correctly).
 */
export class AvroSerde implements Serde<unknown> {
  readonly format = 'avro' as const;
  private readonly writers = new Map<number, WriterEntry>();
  /** Ids the registry does not know: their messages are poison, not a retry. */
  private readonly unknownIds = new Set<number>();

  private constructor(
    private readonly options: AvroSerdeOptions,
    private readonly type: avro.Type,
    private readonly schemaId: number,
  ) {
    this.writers.set(schemaId, { decode: (payload) => type.fromBuffer(payload) });
  }

  /**
   * Resolve the schema's id under the subject (registering it when allowed),
   * after checking it is compatible with what the subject already holds.
   */
  static async create(options: AvroSerdeOptions): Promise<AvroSerde> {
    const type = avro.Type.forSchema(options.schema);
    const info: SchemaInfo = { schemaType: 'AVRO', schema: JSON.stringify(options.schema) };
    const id = await resolveSchemaId(options, info);
    return new AvroSerde(options, type, id);
  }

  /** The registry id this serde writes with. */
  get id(): number {
    return this.schemaId;
  }

  serialize(value: unknown): Buffer | null {
    if (value === null || value === undefined) return null;
    let payload: Buffer;
    try {
      payload = this.type.toBuffer(value);
    } catch (cause) {
      throw new SerializationError(`value does not match Avro schema of subject ${this.options.subject}: ${describeInvalid(this.type, value)}`, { cause });
    }
    return frame(this.schemaId, payload);
  }

  async prepare(messages: ReadonlyArray<Buffer | null>): Promise<void> {
    const missing = new Set<number>();
    for (const bytes of messages) {
      if (bytes === null || bytes.length < HEADER_SIZE || bytes[0] !== 0) continue;
      const id = bytes.readUInt32BE(1);
      if (!this.writers.has(id) && !this.unknownIds.has(id)) missing.add(id);
    }
    for (const id of missing) await this.loadWriter(id);
  }

  deserialize(bytes: Buffer | null): unknown {
    if (bytes === null) return null;
    const id = schemaIdOf(bytes);
    const writer = this.writers.get(id);
    if (!writer) {
      throw new DeserializationError(this.unknownIds.has(id)
        ? `schema id ${id} is unknown to the registry`
        : `schema id ${id} was not prepared (call prepare() on the batch first)`);
    }
    try {
      return writer.decode(bytes.subarray(HEADER_SIZE));
    } catch (cause) {
      throw new DeserializationError(`Avro payload does not decode with schema id ${id}: ${(cause as Error).message}`, { cause });
    }
  }

  private async loadWriter(id: number): Promise<void> {
    const info = await fetchWriterSchema(this.options.registry, this.options.subject, id);
    if (!info) {
      this.unknownIds.add(id);
      return;
    }
    let writerType: avro.Type;
    let resolver: avro.Resolver;
    try {
      writerType = avro.Type.forSchema(JSON.parse(info.schema));
      resolver = this.type.createResolver(writerType);
    } catch (cause) {
      // The writer schema cannot be read as ours: every message with it is poison.
      this.unknownIds.add(id);
      this.writers.set(id, {
        decode: () => { throw new Error(`writer schema ${id} is not readable with the application's schema: ${messageOf(cause)}`); },
      });
      return;
    }
    const type = this.type;
    this.writers.set(id, { decode: (payload) => type.fromBuffer(payload, resolver) });
  }
}

/** Name the first field path that makes a value invalid, for a useful error. */
function describeInvalid(type: avro.Type, value: unknown): string {
  const problems: string[] = [];
  type.isValid(value, {
    errorHook(path: string[], part: unknown) {
      problems.push(`${path.join('.') || '(root)'} = ${JSON.stringify(part)?.slice(0, 60)}`);
    },
  });
  return problems.length > 0 ? `invalid field ${problems[0]}` : 'value is not valid';
}
