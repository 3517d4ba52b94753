import * as fs from 'node:fs';
import * as path from 'node:path';
import * as avro from 'avsc';

/** A loaded .avsc file, or why it could not be used. */
export type AvroSchemaResult =
  | { readonly file: string; readonly schema: unknown }
  | { readonly error: string };

/** Reads and checks an Avro schema file (relative paths resolve against the topology's folder). */
export function loadAvroSchemaFile(relative: string, topologyDir: string): AvroSchemaResult {
  const file = path.resolve(topologyDir, relative);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { error: `schema file '${relative}' not found (looked for ${file})` };
  }
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch (err) {
    return { error: `schema file '${relative}' is not JSON: ${(err as Error).message}` };
  }
  try {
    avro.Type.forSchema(schema as avro.Schema);
  } catch (err) {
    return { error: `schema file '${relative}' is not a valid Avro schema: ${(err as Error).message}` };
  }
  return { file, schema };
}
