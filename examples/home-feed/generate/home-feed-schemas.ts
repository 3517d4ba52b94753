import * as fs from 'node:fs';
import * as path from 'node:path';
import * as avro from 'avsc';
import { ConfigError } from '../../../core/errors';

/** The flagship's schemas, by file name under schemas/. */
export type HomeFeedSchemaName = 'engagement' | 'image' | 'recommendation';

/** A parsed schema: its JSON text (what the registry gets) and its avsc type. */
export interface LoadedSchema {
  readonly name: HomeFeedSchemaName;
  readonly file: string;
  readonly text: string;
  readonly type: avro.Type;
}

/** schemas/ at the repository root, from both the TS sources and the compiled dist/ tree. */
function schemasDir(): string {
  const candidates = [path.join(__dirname, '..', '..', '..', 'schemas'), path.join(__dirname, '..', '..', '..', '..', 'schemas')];
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'engagement.avsc')));
  if (!found) throw new ConfigError(`cannot find schemas/engagement.avsc (looked in ${candidates.join(', ')})`);
  return found;
}

const cache = new Map<HomeFeedSchemaName, LoadedSchema>();

/** Reads and parses one flagship schema (cached); throws a ConfigError naming the file when it does not parse. */
export function loadHomeFeedSchema(name: HomeFeedSchemaName): LoadedSchema {
  const cached = cache.get(name);
  if (cached) return cached;
  const file = path.join(schemasDir(), `${name}.avsc`);
  const text = fs.readFileSync(file, 'utf8');
  let type: avro.Type;
  try {
    type = avro.Type.forSchema(JSON.parse(text) as avro.Schema);
  } catch (err) {
    throw new ConfigError(`${file}: not a valid Avro schema: ${(err as Error).message}`, undefined, { cause: err });
  }
  const loaded: LoadedSchema = { name, file, text, type };
  cache.set(name, loaded);
  return loaded;
}
