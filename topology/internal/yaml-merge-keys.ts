import { isMap, isScalar, isSeq, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import type { ProblemSink } from './problem-sink';
import { walkNodes } from './yaml-walk';

/**
 * Applies YAML merge keys (`<<: *defaults`, `<<: [*a, *b]`) after aliases
 * are expanded (yaml-aliases.ts): the merged mappings' keys are copied into
 * the mapping unless it sets them itself, earlier mappings of a list winning
 * over later ones (the YAML 1.1 merge rule, which YAML 1.2 parsers leave
 * out). Copies keep their positions, so problems in merged values point at
 * the mapping they came from. A `<<` whose value is not a mapping (or a list
 * of them) is reported and removed. Returns false when it reported anything.
 */
export function resolveMergeKeys(doc: Document, sink: ProblemSink): boolean {
  const maps: YAMLMap[] = [];
  walkNodes(doc, (node) => { if (isMap(node)) maps.push(node); });
  let ok = true;
  // Inner mappings first: a merged mapping may itself merge.
  for (const map of maps.reverse()) {
    if (!map.items.some(isMergePair)) continue;
    const own = new Set(map.items.filter((p) => !isMergePair(p)).map(keyOf).filter((k): k is string => k !== undefined));
    const items: Pair[] = [];
    for (const pair of map.items) {
      if (!isMergePair(pair)) { items.push(pair); continue; }
      const value = pair.value as Node | null;
      const sources = isMap(value) ? [value] : isSeq(value) && value.items.every(isMap) ? value.items as YAMLMap[] : undefined;
      if (!sources) {
        sink.report(value ?? pair, 'wrong-type', "a merge key '<<' takes a mapping (an alias such as *defaults) or a list of them");
        ok = false;
        continue;
      }
      for (const source of sources) {
        for (const merged of source.items) {
          const key = keyOf(merged);
          if (key === undefined || own.has(key)) continue;
          own.add(key);
          items.push(merged.clone());
        }
      }
    }
    map.items = items;
  }
  return ok;
}

function isMergePair(pair: Pair): boolean {
  const key = pair.key as Node | null;
  return isScalar(key) && key.value === '<<' && key.type === 'PLAIN';
}

function keyOf(pair: Pair): string | undefined {
  const key = pair.key as Node | null;
  return isScalar(key) && key.value !== null && typeof key.value !== 'object' ? String(key.value) : undefined;
}
