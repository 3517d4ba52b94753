// The modules, not the package root: the root also loads the client-side encryption (KMS) drivers (see registry-client.ts).
import type { SchemaInfo } from '@confluentinc/schemaregistry/dist/schemaregistry-client';
import { PrefixSchemaIdSerializer, SchemaId, SerdeType } from '@confluentinc/schemaregistry/dist/serde/serde';
import { ProtobufSerializer } from '@confluentinc/schemaregistry/dist/serde/protobuf';
import { fromBinary, fromJson, toBinary, toJson, type DescMessage, type JsonValue } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, type FileDescriptorProto } from '@bufbuild/protobuf/wkt';
import type { Serde } from './serde';
import { readWriterId, unknownSchemaIds } from './writer-schema-ids';
import { compileProtoText, messageNameAt, protoMessage, protoRegistry, type ProtoSchema } from './proto-schema-file';
import { fetchWriterSchema, messageOf, resolveSchemaId, type SubjectBinding } from './schema-id-resolution';
import { DeserializationError, SerializationError } from './errors';
import { ConfigError } from '../core/errors';

/** Options of a Protobuf serde bound to one subject. */
export interface ProtobufSerdeOptions extends SubjectBinding {
  readonly topic: string;
  readonly isKey: boolean;
  /** The application's compiled .proto file. */
  readonly schema: ProtoSchema;
  /** The message type it reads and writes (`package.Message`). */
  readonly messageType: string;
}

/**
 * How records look: the Protobuf JSON mapping with the .proto file's field
 * names, every field present (defaults included), enums by name, 64-bit
 * integers as decimal strings and bytes as base64 — plain data that
 * expressions, JSON sinks and repartition topics all take as it is.
 */
const JSON_OPTIONS = { useProtoFieldName: true, alwaysEmitImplicit: true } as const;

/**
 * Protobuf in the Confluent wire format (schema id, then message indexes).
 * The registry client's ProtobufSerializer gives the schema as the registry
 * holds it (a serialized FileDescriptorProto, as the Java, Python and JS
 * clients register it) and the message indexes; its SchemaId framing writes
 * and reads the header. Decoding uses the application's message type, as
 * Java's specific deserializer does, after checking that the writer schema
 * wrote that type; writer schemas are fetched once per id in `prepare`.
 */
export class ProtobufSerde implements Serde<unknown> {
  readonly format = 'protobuf' as const;
  /** Writer schema ids that wrote the application's message type. */
  private readonly readable = new Set<number>();
  /** Why the other ids' messages are poison. */
  private readonly unreadable = new Map<number, string>();
  /** Writer file descriptors by id, to name the type a message's indexes point at. */
  private readonly writtenTypes = new Map<number, FileDescriptorProto>();
  private readonly serdeType: SerdeType;

  private constructor(
    private readonly options: ProtobufSerdeOptions,
    private readonly message: DescMessage,
    private readonly schemaId: SchemaId,
  ) {
    this.serdeType = options.isKey ? SerdeType.KEY : SerdeType.VALUE;
    this.readable.add(schemaId.id!);
    this.writtenTypes.set(schemaId.id!, message.file.proto);
  }

  /** Resolve the schema's id under the subject, checking compatibility first (see resolveSchemaId). */
  static async create(options: ProtobufSerdeOptions): Promise<ProtobufSerde> {
    const registry = protoRegistry(options.schema);
    const message = protoMessage(options.schema, registry, options.messageType);
    if (!message) throw new ConfigError(`message type ${options.messageType} is not declared in ${options.schema.file}`);
    const serializer = new ProtobufSerializer(options.registry, options.isKey ? SerdeType.KEY : SerdeType.VALUE, { autoRegisterSchemas: options.autoRegister ?? false });
    // Imports other than the built-in types register under their own subjects (as references) only with autoRegister.
    const info: SchemaInfo = await serializer.getSchemaInfo(message.file);
    const id = await resolveSchemaId(options, { schemaType: 'PROTOBUF', schema: info.schema, references: info.references ?? [] });
    return new ProtobufSerde(options, message, new SchemaId('PROTOBUF', id, undefined, serializer.toMessageIndexArray(message)));
  }

  /** The registry id this serde writes with. */
  get id(): number {
    return this.schemaId.id!;
  }

  serialize(value: unknown): Buffer | null {
    if (value === null || value === undefined) return null;
    let payload: Buffer;
    try {
      payload = Buffer.from(toBinary(this.message, fromJson(this.message, value as JsonValue)));
    } catch (cause) {
      throw new SerializationError(`value does not fit message ${this.message.typeName} of subject ${this.options.subject}: ${messageOf(cause)}`, { cause });
    }
    return PrefixSchemaIdSerializer(this.options.topic, this.serdeType, payload, this.schemaId);
  }

  async prepare(messages: ReadonlyArray<Buffer | null>): Promise<void> {
    for (const id of unknownSchemaIds(messages, (id) => this.readable.has(id) || this.unreadable.has(id))) await this.loadWriter(id);
  }

  deserialize(bytes: Buffer | null): unknown {
    if (bytes === null) return null;
    const { schemaId: writer, offset } = readWriterId('PROTOBUF', this.options.topic, this.serdeType, bytes);
    const id = writer.id!;
    if (!this.readable.has(id)) {
      throw new DeserializationError(this.unreadable.get(id) ?? `schema id ${id} was not prepared (call prepare() on the batch first)`);
    }
    const written = this.writtenTypes.get(id);
    const at = messageNameOfIndexes(writer.messageIndexes ?? [0], written);
    if (at !== undefined && at !== this.message.typeName) {
      throw new DeserializationError(`message was written as ${at} (schema id ${id}), not ${this.message.typeName}`);
    }
    try {
      return toJson(this.message, fromBinary(this.message, bytes.subarray(offset)), JSON_OPTIONS);
    } catch (cause) {
      throw new DeserializationError(`Protobuf payload does not decode as ${this.message.typeName} (schema id ${id}): ${messageOf(cause)}`, { cause });
    }
  }

  private async loadWriter(id: number): Promise<void> {
    const info = await fetchWriterSchema(this.options.registry, this.options.subject, id);
    if (!info) {
      this.unreadable.set(id, `schema id ${id} is unknown to the registry`);
      return;
    }
    const file = writerFile(info.schema);
    if ('error' in file) {
      this.unreadable.set(id, `writer schema ${id} is not a readable Protobuf schema: ${file.error}`);
      return;
    }
    this.writtenTypes.set(id, file.proto);
    this.readable.add(id);
  }
}

/** The type at a message's indexes in its writer's file. */
function messageNameOfIndexes(indexes: readonly number[], written: FileDescriptorProto | undefined): string | undefined {
  if (!written) return undefined;
  return messageNameAt(written, indexes) ?? `(no message at indexes ${indexes.join(',')})`;
}

/**
 * A registry's Protobuf schema text as a file descriptor: the base64
 * FileDescriptorProto that Confluent clients register, or .proto source
 * (as Java clients and people register it), compiled with buf.
 */
function writerFile(schema: string): { proto: FileDescriptorProto } | { error: string } {
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(schema.trim())) {
    try {
      return { proto: fromBinary(FileDescriptorProtoSchema, Buffer.from(schema, 'base64')) };
    } catch {
      // Not a descriptor after all: try it as .proto source.
    }
  }
  const compiled = compileProtoText(schema);
  if ('error' in compiled) return { error: compiled.error };
  const registry = protoRegistry(compiled);
  const own = registry.getFile(compiled.file.replace(/\.proto$/, ''));
  return own ? { proto: own.proto } : { error: 'the compiled schema has no file' };
}
