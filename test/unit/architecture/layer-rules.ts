import type { ImportEdge } from './import-graph';

/**
 * The layers, bottom first (../shared/ARCHITECTURE.md, "Folders"). A file may import its own
 * layer's files and any layer below; never one above. Layers listed together on one rank are
 * siblings: neither imports the other. The first matching prefix decides a file's layer.
 */
export const layers: ReadonlyArray<{ readonly name: string; readonly rank: number; readonly prefixes: readonly string[] }> = [
  { name: 'core', rank: 0, prefixes: ['core/'] },
  { name: 'schemas', rank: 1, prefixes: ['schemas/'] },
  { name: 'operators', rank: 2, prefixes: ['operators/'] },
  { name: 'topology', rank: 3, prefixes: ['topology/'] },
  { name: 'kafka client', rank: 4, prefixes: ['runtime/kafka/client/'] },
  { name: 'telemetry', rank: 4, prefixes: ['runtime/telemetry/'] },
  { name: 'scoring', rank: 4, prefixes: ['runtime/scoring/'] },
  { name: 'state', rank: 5, prefixes: ['runtime/state/'] },
  { name: 'engine', rank: 6, prefixes: ['runtime/kafka/', 'runtime/processing/'] },
  { name: 'composition root', rank: 7, prefixes: ['runtime/app/'] },
  { name: 'examples', rank: 8, prefixes: ['examples/'] },
  { name: 'cli', rank: 9, prefixes: ['runtime/cli/'] },
  { name: 'tests', rank: 10, prefixes: ['test/'] },
  { name: 'bench', rank: 11, prefixes: ['bench/'] },
];

export function layerOf(file: string): { readonly name: string; readonly rank: number } | undefined {
  return layers.find((layer) => layer.prefixes.some((prefix) => file.startsWith(prefix)));
}

/** The folder whose `internal/` a path lies in, or undefined when it is not internal. */
function internalOwner(file: string): string | undefined {
  const at = file.lastIndexOf('/internal/');
  return at < 0 ? undefined : file.slice(0, at + 1);
}

/** Unit tests and micro-benchmarks exercise one piece, internal ones included; production code may not. */
function measuresPieces(file: string): boolean {
  return file.startsWith('test/') || file.startsWith('bench/');
}

/** Each import that breaks a rule, as a sentence naming both files. */
export function layerViolations(edges: readonly ImportEdge[]): string[] {
  const violations: string[] = [];
  for (const { from, to } of edges) {
    const owner = internalOwner(to);
    if (owner !== undefined && !from.startsWith(owner) && !measuresPieces(from)) {
      violations.push(`${from} imports ${to}: only files under ${owner} may use its internal/`);
    }
    const source = layerOf(from);
    const target = layerOf(to);
    if (source === undefined || target === undefined) {
      violations.push(`${from} imports ${to}: ${source === undefined ? from : to} is in no layer; add its folder to layer-rules.ts`);
      continue;
    }
    if (source.name === target.name) continue;
    if (target.rank > source.rank) violations.push(`${from} imports ${to}: ${source.name} may not import ${target.name}, a layer above it`);
    else if (target.rank === source.rank) violations.push(`${from} imports ${to}: ${source.name} and ${target.name} are siblings and do not import each other`);
  }
  return violations;
}
