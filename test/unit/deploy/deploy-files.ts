/** Paths and parsing shared by the deploy/ validation tests. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

/** The repository root (tests run from dist/test/unit/deploy). */
export const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
export const deployDir = path.join(repoRoot, 'deploy');

/** Parse one YAML file of deploy/, failing with the file name and position on a syntax error. */
export function readYaml(relative: string): unknown {
  const file = path.join(deployDir, relative);
  // merge: compose files share settings through `<<: *anchor`.
  return parse(fs.readFileSync(file, 'utf8'), { merge: true, prettyErrors: true });
}

/** Every document of every YAML file in a folder of deploy/, with its file name. */
export function readYamlDocuments(folder: string): Array<{ file: string; doc: Record<string, unknown> }> {
  const dir = path.join(deployDir, folder);
  const out: Array<{ file: string; doc: Record<string, unknown> }> = [];
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.yaml')).sort()) {
    for (const d of parseAllDocuments(fs.readFileSync(path.join(dir, name), 'utf8'), { prettyErrors: true })) {
      if (d.errors.length > 0) throw new Error(`${folder}/${name}: ${d.errors[0].message}`);
      const doc = d.toJS() as Record<string, unknown> | null;
      if (doc) out.push({ file: name, doc });
    }
  }
  return out;
}

/** `FROM ... AS name` stages of deploy/Dockerfile. */
export function dockerfileTargets(): Set<string> {
  const text = fs.readFileSync(path.join(deployDir, 'Dockerfile'), 'utf8');
  return new Set([...text.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].map((m) => m[1]));
}
