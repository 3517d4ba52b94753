import type { Schema } from 'avsc';
import type { Client } from '@confluentinc/schemaregistry';
import type { SerdeConfig } from './serde-config';
import type { Serde } from './serde';
import { AvroSerde } from './serde-avro';
import { jsonSerde } from './serde-json';
import { stringSerde } from './serde-string';
import { bytesSerde } from './serde-bytes';
import { subjectName, type SubjectNameStrategy } from './subject-name';
import { ConfigError } from '../core/errors';
import { RegistryError } from './errors';

/** Registry settings that apply to every Avro serde of an application. */
export interface AvroSettings {
  readonly registry?: Client;
  readonly subjectStrategy: SubjectNameStrategy;
  readonly autoRegister: boolean;
}

/**
 * The serde for a key or value of a topic, as the topology declares it.
 * Avro serdes resolve their schema id (and check compatibility) here, at start-up.
 */
export async function createSerde(config: SerdeConfig, topic: string, isKey: boolean, avro: AvroSettings): Promise<Serde<unknown>> {
  switch (config.format) {
    case 'json': return jsonSerde;
    case 'string': return stringSerde as Serde<unknown>;
    case 'bytes': return bytesSerde as Serde<unknown>;
    case 'avro': {
      if (!avro.registry) throw new ConfigError(`topic ${topic} uses Avro but the topology has no schemaRegistry`);
      let schema = config.schema as Schema | undefined;
      const subject = config.subject ?? subjectName(avro.subjectStrategy, topic, isKey, schema);
      if (!schema) {
        let latest;
        try {
          latest = await avro.registry.getLatestSchemaMetadata(subject);
        } catch (cause) {
          const failed = cause as { status?: number; response?: { status?: number } } | undefined;
          const status = failed?.status ?? failed?.response?.status;
          if (status === 404) throw new RegistryError(`subject ${subject} (${isKey ? 'key' : 'value'} of topic ${topic}) has no schema in the registry; register one, or give a schema file`, false, { cause });
          throw new RegistryError(`could not fetch the latest schema of subject ${subject}: ${cause instanceof Error ? cause.message : String(cause)}`, !(status !== undefined && status >= 400 && status < 500), { cause });
        }
        schema = JSON.parse(latest.schema) as Schema;
      }
      return AvroSerde.create({ registry: avro.registry, subject, schema, autoRegister: avro.autoRegister });
    }
  }
}
