import type { Node } from 'yaml';
import type { SerdeConfig } from '../compiled-topology';
import { REGISTRY_FORMATS, type SerdeFormat } from '../../schemas/serde';
import { recordNameOf, type SubjectNameStrategy } from '../../schemas/subject-name';
import { compileProtoFile, protoMessage, protoMessageNames, protoRegistry } from '../../schemas/proto-schema-file';
import { loadAvroSchemaFile } from './avro-schema-file';
import { loadJsonSchemaFile } from './json-schema-file';
import { didYouMean } from './did-you-mean';
import type { ProblemSink } from './problem-sink';
import { pairOf, valueOf } from './spec-checker';
import * as fs from 'node:fs';
import * as path from 'node:path';

type Obj = Record<string, unknown>;

const FORMATS: readonly SerdeFormat[] = ['avro', 'protobuf', 'json-schema', 'json', 'string', 'bytes'];

/** What each registry format's `schema` names, for messages. */
const SCHEMA_FILE = { avro: 'an .avsc file', protobuf: 'a .proto file', 'json-schema': 'a JSON Schema file' } as const;

/**
 * Resolves a key or value format and loads its schema file: an .avsc file
 * (checked with avsc), a .proto file (compiled with buf; `message` must name
 * one of its messages) or a JSON Schema file (compiled with Ajv). Reports
 * every problem at its node; a schema that fails is left out of the result.
 */
export function checkSerde(raw: unknown, node: Node | undefined, dir: string, sink: ProblemSink): SerdeConfig {
  const config = (raw ?? { format: 'string' }) as Obj;
  const format = (FORMATS.includes(config.format as SerdeFormat) ? config.format : 'bytes') as SerdeFormat;
  const subject = typeof config.subject === 'string' ? { subject: config.subject } : {};
  if (format !== 'protobuf' && config.message !== undefined) {
    sink.report(pairOf(node, 'message'), 'option', `'message' applies only to the protobuf format, not ${format}`);
  }
  if (!REGISTRY_FORMATS.includes(format)) {
    for (const key of ['schema', 'subject']) {
      if (config[key] !== undefined) sink.report(pairOf(node, key), 'option', `'${key}' applies only to the avro, protobuf and json-schema formats, not ${format}`);
    }
    return { format };
  }
  if (typeof config.schema !== 'string') {
    if (format === 'avro' && typeof config.subject === 'string') return { format, ...subject };
    if (config.format === format) {
      sink.report(node, 'missing-key', format === 'avro'
        ? `the avro format needs 'schema' (an .avsc file) or 'subject' (a registry subject)`
        : `the ${format} format needs 'schema' (${SCHEMA_FILE[format as 'protobuf' | 'json-schema']})`);
    }
    return { format };
  }
  const schemaNode = valueOf(node, 'schema');
  if (format === 'protobuf') return checkProtobuf(config, node, dir, sink);
  const loaded = format === 'avro' ? loadAvroSchemaFile(config.schema, dir) : loadJsonSchemaFile(config.schema, dir);
  if ('error' in loaded) {
    sink.report(schemaNode, 'schema', loaded.error);
    return { format };
  }
  return { format, schemaFile: loaded.file, schema: loaded.schema, ...subject };
}

function checkProtobuf(config: Obj, node: Node | undefined, dir: string, sink: ProblemSink): SerdeConfig {
  const format = 'protobuf';
  const relative = config.schema as string;
  const file = path.resolve(dir, relative);
  if (typeof config.message !== 'string') sink.report(node, 'missing-key', `the protobuf format needs 'message' (the full name of a message in ${relative}, e.g. shop.v1.Order)`);
  if (!fs.existsSync(file)) {
    sink.report(valueOf(node, 'schema'), 'schema', `schema file '${relative}' not found (looked for ${file})`);
    return { format };
  }
  const compiled = compileProtoFile(file);
  if ('error' in compiled) {
    sink.report(valueOf(node, 'schema'), 'schema', `schema file '${relative}' does not compile: ${compiled.error}`);
    return { format };
  }
  if (typeof config.message !== 'string') return { format };
  const registry = protoRegistry(compiled);
  if (!protoMessage(compiled, registry, config.message)) {
    const names = protoMessageNames(compiled, registry);
    sink.report(valueOf(node, 'message'), 'schema',
      `${relative} declares no message ${config.message}${didYouMean(config.message, names)} (it declares ${names.join(', ') || 'none'})`);
    return { format };
  }
  return {
    format, schemaFile: file, schema: compiled, messageType: config.message.replace(/^\./, ''),
    ...(typeof config.subject === 'string' ? { subject: config.subject } : {}),
  };
}

/**
 * The record strategies name the subject after the schema's record name, so
 * a registry key or value that gives no subject needs one: a named Avro
 * schema (record, enum, fixed) or a JSON Schema with a `title` (a Protobuf
 * message always has a name).
 */
export function checkNamedSchema(strategy: SubjectNameStrategy, from: string, config: SerdeConfig, node: Node | undefined, sink: ProblemSink): void {
  if (strategy === 'topic' || !REGISTRY_FORMATS.includes(config.format) || config.subject !== undefined || config.schema === undefined) return;
  if (recordNameOf(config) !== undefined) return;
  sink.report(valueOf(node, 'schema') ?? node, 'schema', config.format === 'json-schema'
    ? `the ${strategy} subject strategy (${from}) names the subject after the schema's title, but this schema has none; add a 'title' or give 'subject'`
    : `the ${strategy} subject strategy (${from}) names the subject after the schema's full name, but this schema has no name; use a named schema or give 'subject'`);
}
