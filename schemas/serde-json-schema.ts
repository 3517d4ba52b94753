// The modules, not the package root: the root also loads the client-side encryption (KMS) drivers (see registry-client.ts).
import type { SchemaInfo } from '@confluentinc/schemaregistry/dist/schemaregistry-client';
import { PrefixSchemaIdSerializer, SchemaId, SerdeType } from '@confluentinc/schemaregistry/dist/serde/serde';
import { JsonDeserializer, JsonSerializer, type ValidateFunction } from '@confluentinc/schemaregistry/dist/serde/json';
import type { Serde } from './serde';
import { readWriterId, unknownSchemaIds } from './writer-schema-ids';
import { fetchWriterSchema, messageOf, resolveSchemaId, type SubjectBinding } from './schema-id-resolution';
import { DeserializationError, SerializationError } from './errors';

/** Options of a JSON Schema serde bound to one subject. */
export interface JsonSchemaSerdeOptions extends SubjectBinding {
  readonly topic: string;
  readonly isKey: boolean;
  /** The application's JSON Schema (parsed): what it writes, and what the subject must accept. */
  readonly schema: unknown;
}

/**
 * JSON checked against a JSON Schema, in the Confluent wire format (schema
 * id, then UTF-8 JSON). Validators come from the registry client's
 * JsonSerializer/JsonDeserializer (its Ajv set-up: draft-07 and 2019-09 by
 * default, 2020-12 by `$schema`, references resolved through the registry)
 * and its SchemaId framing writes and reads the header. Outputs are checked
 * against the application's schema; inputs against their writer's schema,
 * fetched once per id in `prepare`.
 */
export class JsonSchemaSerde implements Serde<unknown> {
  readonly format = 'json-schema' as const;
  private readonly validators = new Map<number, ValidateFunction>();
  /** Why the other ids' messages are poison. */
  private readonly unreadable = new Map<number, string>();
  private readonly serdeType: SerdeType;

  private constructor(
    private readonly options: JsonSchemaSerdeOptions,
    private readonly deserializer: JsonDeserializer,
    private readonly schemaId: SchemaId,
    private readonly validate: ValidateFunction,
  ) {
    this.serdeType = options.isKey ? SerdeType.KEY : SerdeType.VALUE;
    this.validators.set(schemaId.id!, validate);
  }

  /** Resolve the schema's id under the subject, checking compatibility first (see resolveSchemaId). */
  static async create(options: JsonSchemaSerdeOptions): Promise<JsonSchemaSerde> {
    const serdeType = options.isKey ? SerdeType.KEY : SerdeType.VALUE;
    const info: SchemaInfo = { schemaType: 'JSON', schema: JSON.stringify(options.schema) };
    const id = await resolveSchemaId(options, info);
    const validate = await new JsonSerializer(options.registry, serdeType, { validate: true }).toValidateFunction(info);
    const deserializer = new JsonDeserializer(options.registry, serdeType, { validate: true });
    return new JsonSchemaSerde(options, deserializer, new SchemaId('JSON', id), validate ?? (() => true));
  }

  /** The registry id this serde writes with. */
  get id(): number {
    return this.schemaId.id!;
  }

  serialize(value: unknown): Buffer | null {
    if (value === null || value === undefined) return null;
    if (!this.validate(value)) {
      throw new SerializationError(`value does not match the JSON Schema of subject ${this.options.subject}: ${problems(this.validate)}`);
    }
    let payload: Buffer;
    try {
      payload = Buffer.from(JSON.stringify(value), 'utf8');
    } catch (cause) {
      throw new SerializationError(`value cannot be written as JSON: ${messageOf(cause)}`, { cause });
    }
    return PrefixSchemaIdSerializer(this.options.topic, this.serdeType, payload, this.schemaId);
  }

  async prepare(messages: ReadonlyArray<Buffer | null>): Promise<void> {
    for (const id of unknownSchemaIds(messages, (id) => this.validators.has(id) || this.unreadable.has(id))) await this.loadWriter(id);
  }

  deserialize(bytes: Buffer | null): unknown {
    if (bytes === null) return null;
    const { schemaId: writer, offset } = readWriterId('JSON', this.options.topic, this.serdeType, bytes);
    const id = writer.id!;
    const validate = this.validators.get(id);
    if (!validate) throw new DeserializationError(this.unreadable.get(id) ?? `schema id ${id} was not prepared (call prepare() on the batch first)`);
    let value: unknown;
    try {
      value = JSON.parse(bytes.subarray(offset).toString('utf8'));
    } catch {
      // V8's message quotes the text; records' contents must not reach logs.
      throw new DeserializationError(`payload of schema id ${id} is not JSON`);
    }
    if (!validate(value)) throw new DeserializationError(`value does not match its writer's JSON Schema (id ${id}): ${problems(validate)}`);
    return value;
  }

  private async loadWriter(id: number): Promise<void> {
    const info = await fetchWriterSchema(this.options.registry, this.options.subject, id);
    if (!info) {
      this.unreadable.set(id, `schema id ${id} is unknown to the registry`);
      return;
    }
    try {
      this.validators.set(id, (await this.deserializer.toValidateFunction(info)) ?? (() => true));
    } catch (cause) {
      this.unreadable.set(id, `writer schema ${id} is not a usable JSON Schema: ${messageOf(cause)}`);
    }
  }
}

/** Where a value breaks its schema, by path and rule (Ajv's words), never the value itself. */
function problems(validate: ValidateFunction): string {
  const errors = validate.errors ?? [];
  if (errors.length === 0) return 'not valid';
  return errors.slice(0, 3).map((e) => `${e.instancePath || '(root)'} ${e.message ?? e.keyword}`).join('; ');
}
