import type { Schema } from 'avsc';
import type { Client } from '@confluentinc/schemaregistry';
import type { SerdeConfig } from './serde-config';
import type { Serde } from './serde';
import { AvroSerde } from './serde-avro';
import { jsonSerde } from './serde-json';
import { stringSerde } from './serde-string';
import { bytesSerde } from './serde-bytes';
import type { ProtoSchema } from './proto-schema-file';
import { recordNameOf, subjectName, type SubjectNameStrategy } from './subject-name';
import { ConfigError } from '../core/errors';
import { RegistryError } from './errors';
import { isNotFound, messageOf } from './schema-id-resolution';

/** Registry settings that apply to every Avro, Protobuf and JSON Schema serde of an application. */
export interface RegistrySettings {
  readonly registry?: Client;
  readonly subjectStrategy: SubjectNameStrategy;
  readonly autoRegister: boolean;
}

const FORMAT_NAMES = { avro: 'Avro', protobuf: 'Protobuf', 'json-schema': 'JSON Schema' } as const;

/**
 * The serde for a key or value of a topic, as the topology declares it.
 * Registry serdes resolve their schema id (and check compatibility) here, at start-up.
 */
export async function createSerde(config: SerdeConfig, topic: string, isKey: boolean, settings: RegistrySettings): Promise<Serde<unknown>> {
  switch (config.format) {
    case 'json': return jsonSerde;
    case 'string': return stringSerde as Serde<unknown>;
    case 'bytes': return bytesSerde as Serde<unknown>;
    case 'avro': case 'protobuf': case 'json-schema': break;
  }
  const registry = settings.registry;
  if (!registry) throw new ConfigError(`topic ${topic} uses ${FORMAT_NAMES[config.format]} but the topology has no schemaRegistry`);
  const subject = config.subject ?? subjectName(settings.subjectStrategy, topic, isKey, recordNameOf(config));
  const binding = { registry, subject, autoRegister: settings.autoRegister };
  switch (config.format) {
    case 'avro': {
      const schema = (config.schema ?? await latestAvroSchema(registry, subject, topic, isKey)) as Schema;
      return AvroSerde.create({ ...binding, schema });
    }
    case 'protobuf':
      if (config.schema === undefined || config.messageType === undefined) throw new ConfigError(`the Protobuf ${isKey ? 'key' : 'value'} of topic ${topic} needs a .proto schema file and a message type`);
      // Loaded only when a topic uses the format: the registry client's Protobuf and JSON Schema
      // modules (with buf, Ajv) cost ~0.4 s of every start-up otherwise.
      return (await import('./serde-protobuf')).ProtobufSerde.create({ ...binding, topic, isKey, schema: config.schema as ProtoSchema, messageType: config.messageType });
    default:
      if (config.schema === undefined) throw new ConfigError(`the JSON Schema ${isKey ? 'key' : 'value'} of topic ${topic} needs a schema file`);
      return (await import('./serde-json-schema')).JsonSchemaSerde.create({ ...binding, topic, isKey, schema: config.schema });
  }
}

/** An Avro key or value that names only a subject reads and writes the subject's latest schema. */
async function latestAvroSchema(registry: Client, subject: string, topic: string, isKey: boolean): Promise<unknown> {
  let latest;
  try {
    latest = await registry.getLatestSchemaMetadata(subject);
  } catch (cause) {
    const failed = cause as { status?: number; response?: { status?: number } } | undefined;
    const status = failed?.status ?? failed?.response?.status;
    if (isNotFound(cause)) throw new RegistryError(`subject ${subject} (${isKey ? 'key' : 'value'} of topic ${topic}) has no schema in the registry; register one, or give a schema file`, false, { cause });
    throw new RegistryError(`could not fetch the latest schema of subject ${subject}: ${messageOf(cause)}`, !(status !== undefined && status >= 400 && status < 500), { cause });
  }
  return JSON.parse(latest.schema) as unknown;
}
