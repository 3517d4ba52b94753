import { isAlias, isCollection, isPair, Scalar, visit, type Alias, type Document, type Node } from 'yaml';
import type { ProblemSink } from './problem-sink';
import { walkNodes } from './yaml-walk';

/**
 * The most YAML nodes that aliases may add to a topology file by expansion.
 * A file that shares a serde or an options block a few hundred times stays
 * far below it; a "billion laughs" file (nine aliases of nine aliases ..., a
 * few hundred bytes) would add 9^9 nodes and is refused before anything is
 * copied, so validate, describe and test stay within a few MB.
 */
export const MAX_ALIAS_EXPANSION = 10_000;

/**
 * Replaces each alias (`*name`) by a copy of its anchored node, so that checks
 * see the value; problems inside it point at the anchor's definition.
 *
 * First measures what expansion would add, without copying: an alias that
 * refers to a node containing it (an endless expansion) or a running total
 * past {@link MAX_ALIAS_EXPANSION} is reported at that alias and nothing is
 * expanded (returns false: the caller stops checking). Anchors are resolved
 * in one pass (the latest `&name` before the alias, as YAML defines it)
 * rather than by `Alias.resolve`, which walks the whole document per alias.
 */
export function resolveAliases(doc: Document, sink: ProblemSink): boolean {
  const anchors = new Map<string, Node>();
  const aliases: Array<{ alias: Alias; target: Node | undefined }> = [];
  walkNodes(doc, (node) => {
    if (isAlias(node)) aliases.push({ alias: node, target: anchors.get(node.source) });
    else if (node.anchor) anchors.set(node.anchor, node);
  });
  if (aliases.length === 0) return true;

  const targetOf = new Map(aliases.map((a) => [a.alias, a.target]));
  const sizes = new Map<Node, number>();
  const open = new Set<Node>();
  // Nodes the expanded form of `node` has; Infinity for an alias that (transitively) contains itself.
  const size = (node: unknown): number => {
    if (isAlias(node)) {
      const target = targetOf.get(node);
      if (target === undefined) return 1;
      if (open.has(target)) return Infinity;
      return size(target);
    }
    if (!isCollection(node)) return 1;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    open.add(node);
    let total = 1;
    for (const item of node.items) {
      if (isPair(item)) total += size(item.key) + size(item.value);
      else total += size(item);
    }
    open.delete(node);
    sizes.set(node, total);
    return total;
  };

  let added = 0;
  for (const { alias, target } of aliases) {
    if (target === undefined) continue;
    const n = size(target);
    if (n === Infinity) {
      sink.report(alias, 'cycle', `alias *${alias.source} refers to a node that contains it: its expansion never ends`);
      return false;
    }
    added += n;
    if (added > MAX_ALIAS_EXPANSION) {
      sink.report(alias, 'limit', `aliases expand to more than ${MAX_ALIAS_EXPANSION} YAML nodes (at *${alias.source}, ${n} nodes each); a topology this large by aliases is refused as a resource-exhaustion attack (billion laughs)`);
      return false;
    }
  }

  // Every anchor precedes its aliases and contains none of them, so in document
  // order an anchored node is already alias-free when its aliases copy it.
  visit(doc, {
    Alias(_, alias) {
      const target = targetOf.get(alias);
      if (!target) {
        sink.report(alias, 'unknown-reference', `unknown anchor '${alias.source}' (define it with &${alias.source})`);
        return new Scalar(null) as Node;
      }
      return target.clone() as Node;
    },
  });
  return true;
}
