import { readSchemaJson } from './schema-json-file';
import * as avro from 'avsc';

/** A loaded .avsc file, or why it could not be used. */
export type AvroSchemaResult =
  | { readonly file: string; readonly schema: unknown }
  | { readonly error: string };

/** Reads and checks an Avro schema file (relative paths resolve against the topology's folder). */
export function loadAvroSchemaFile(relative: string, topologyDir: string): AvroSchemaResult {
  const read = readSchemaJson(relative, topologyDir);
  if ('error' in read) return read;
  const { file, schema } = read;
  try {
    avro.Type.forSchema(schema as avro.Schema);
  } catch (err) {
    return { error: `schema file '${relative}' is not a valid Avro schema: ${(err as Error).message}` };
  }
  return { file, schema };
}
