import * as avro from 'avsc';
import type { Client, SchemaInfo } from '@confluentinc/schemaregistry';
import type { Serde } from './serde';
import { frame, schemaIdOf, HEADER_SIZE } from './wire-format';
import { DeserializationError, RegistryError, SerializationError } from './errors';

/** Options of an Avro serde bound to one subject. */
export interface AvroSerdeOptions {
  readonly registry: Client;
  readonly subject: string;
  /** The application's schema (parsed .avsc JSON): what it writes, and how it reads. */
  readonly schema: avro.Schema;
  /**
   * Register `schema` under `subject` at start-up when missing. Off by default:
   * production subjects are registered by their owners, and a schema is never
   * inferred from a message.
   */
  readonly autoRegister?: boolean;
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
    let info: SchemaInfo;
    try {
      info = await this.options.registry.getBySubjectAndId(this.options.subject, id);
    } catch (cause) {
      if (isNotFound(cause)) {
        this.unknownIds.add(id);
        return;
      }
      throw new RegistryError(`could not fetch schema id ${id} from the registry: ${messageOf(cause)}`, true, { cause });
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

async function resolveSchemaId(options: AvroSerdeOptions, info: SchemaInfo): Promise<number> {
  const { registry, subject } = options;
  try {
    return await registry.getId(subject, info, false);
  } catch (cause) {
    if (!isNotFound(cause)) {
      throw new RegistryError(`could not look up the schema of subject ${subject}: ${messageOf(cause)}`, true, { cause });
    }
  }
  // Not registered under this subject yet: it must be compatible with what is there.
  let compatible = true;
  try {
    compatible = await registry.testSubjectCompatibility(subject, info);
  } catch (cause) {
    if (!isNotFound(cause)) {
      throw new RegistryError(`could not check compatibility with subject ${subject}: ${messageOf(cause)}`, true, { cause });
    }
  }
  if (!compatible) {
    throw new RegistryError(`schema is incompatible with the latest version of subject ${subject} (check the registry's compatibility level and the schema's evolution)`, false);
  }
  if (!options.autoRegister) {
    throw new RegistryError(`schema is not registered under subject ${subject}; register it, or set schemaRegistry.autoRegister: true in the topology (or TRIBUTARY_AUTO_REGISTER=1)`, false);
  }
  try {
    return await registry.register(subject, info, false);
  } catch (cause) {
    throw new RegistryError(`could not register the schema under subject ${subject}: ${messageOf(cause)}`, !isClientError(cause), { cause });
  }
}

function statusOf(err: unknown): number | undefined {
  const e = err as { status?: number; response?: { status?: number } };
  return e?.status ?? e?.response?.status;
}
function isNotFound(err: unknown): boolean {
  return statusOf(err) === 404;
}
function isClientError(err: unknown): boolean {
  const status = statusOf(err);
  return status !== undefined && status >= 400 && status < 500;
}
function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
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
