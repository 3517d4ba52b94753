import { readSchemaJson } from './schema-json-file';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import * as draft7MetaSchema from 'ajv/dist/refs/json-schema-draft-07.json';

/** A loaded JSON Schema file, or why it could not be used. */
export type JsonSchemaResult =
  | { readonly file: string; readonly schema: unknown }
  | { readonly error: string };

const DRAFT_2020 = /^https?:\/\/json-schema\.org\/draft\/2020-12\/schema#?$/;

/**
 * Reads a JSON Schema file and compiles it with Ajv as the registry client
 * will (2020-12 when `$schema` says so, else draft-07/2019-09), so a schema
 * the app could not use fails `validate`, not start-up.
 */
export function loadJsonSchemaFile(relative: string, topologyDir: string): JsonSchemaResult {
  const read = readSchemaJson(relative, topologyDir);
  if ('error' in read) return read;
  const { file, schema } = read;
  if (typeof schema !== 'boolean' && (typeof schema !== 'object' || schema === null || Array.isArray(schema))) {
    return { error: `schema file '${relative}' is not a JSON Schema (an object or a boolean)` };
  }
  try {
    const spec = typeof schema === 'object' ? (schema as { $schema?: unknown }).$schema : undefined;
    const ajv = typeof spec === 'string' && DRAFT_2020.test(spec) ? new Ajv2020({ allErrors: true }) : new Ajv2019({ allErrors: true });
    if (!(ajv instanceof Ajv2020)) ajv.addMetaSchema(draft7MetaSchema);
    ajv.addKeyword('confluent:tags');
    ajv.compile(schema as object);
  } catch (err) {
    return { error: `schema file '${relative}' is not a valid JSON Schema: ${(err as Error).message}` };
  }
  return { file, schema };
}
