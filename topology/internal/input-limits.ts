import { isCollection, isPair, type Document, type Node } from 'yaml';
import type { ProblemSink } from './problem-sink';

/** The largest topology file validate reads (a 20,000-pipeline file is ~3 MB). */
export const MAX_TOPOLOGY_BYTES = 16 * 1024 * 1024;

/** The deepest nesting of mappings and lists a topology file may have (real files stay under 20). */
export const MAX_NESTING_DEPTH = 200;

/** Reports a file past {@link MAX_TOPOLOGY_BYTES}; false when it is (nothing else is checked). */
export function checkTextSize(text: string, sink: ProblemSink): boolean {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= MAX_TOPOLOGY_BYTES) return true;
  sink.report(0, 'limit', `the file is ${(bytes / 1024 / 1024).toFixed(1)} MiB; a topology file may be at most ${MAX_TOPOLOGY_BYTES / 1024 / 1024} MiB`);
  return false;
}

/** The parser's own stack overflow on deep nesting, said as the limit it is. */
export function parserLimitMessage(message: string): string | undefined {
  return /Maximum call stack size exceeded/.test(message)
    ? `the file nests deeper than the YAML parser can follow; a topology file may nest at most ${MAX_NESTING_DEPTH} levels`
    : undefined;
}

/**
 * Reports the first node nested deeper than {@link MAX_NESTING_DEPTH}
 * (walked without recursion); false when there is one, so later checks,
 * which recurse, never see such a file.
 */
export function checkNesting(doc: Document, sink: ProblemSink): boolean {
  const stack: Array<{ node: unknown; depth: number }> = [{ node: doc.contents, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (!isCollection(node)) continue;
    if (depth >= MAX_NESTING_DEPTH) {
      sink.report(node as Node, 'limit', `mappings and lists nest more than ${MAX_NESTING_DEPTH} levels deep here; a topology file may nest at most ${MAX_NESTING_DEPTH}`);
      return false;
    }
    for (const item of node.items) {
      if (isPair(item)) { stack.push({ node: item.key, depth: depth + 1 }, { node: item.value, depth: depth + 1 }); }
      else stack.push({ node: item, depth: depth + 1 });
    }
  }
  return true;
}
