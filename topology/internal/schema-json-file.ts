import * as fs from 'node:fs';
import * as path from 'node:path';

/** A schema file read and parsed as JSON, or why not; relative paths resolve against the topology's folder. */
export function readSchemaJson(relative: string, topologyDir: string): { readonly file: string; readonly schema: unknown } | { readonly error: string } {
  const file = path.resolve(topologyDir, relative);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { error: `schema file '${relative}' not found (looked for ${file})` };
  }
  try {
    return { file, schema: JSON.parse(text) as unknown };
  } catch (err) {
    return { error: `schema file '${relative}' is not JSON: ${(err as Error).message}` };
  }
}
