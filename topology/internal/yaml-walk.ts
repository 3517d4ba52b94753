import { isCollection, isDocument, isNode, isPair, type Document, type Node } from 'yaml';

/** Where a node sits in its parent: a pair's key or value, a list's index (the document's contents: 'value'). */
export type NodePlace = 'key' | 'value' | number;

/**
 * Calls `visitNode` for every node under the document (or node), in document
 * order, parents before children and a pair's key before its value, as the
 * `yaml` library's `visit` does. It exists because `visit` copies and freezes
 * the path to every node: on a 20,000-pipeline file the checker's whole-document
 * passes spent most of their time, and much garbage collection, on those copies.
 * The walk changes nothing; nesting is bounded before it runs (input-limits.ts).
 */
export function walkNodes(root: Document | Node | null | undefined, visitNode: (node: Node, place: NodePlace) => void): void {
  const walk = (node: unknown, place: NodePlace): void => {
    if (!isNode(node)) return;
    visitNode(node, place);
    if (!isCollection(node)) return;
    const items = node.items;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (isPair(item)) {
        walk(item.key, 'key');
        walk(item.value, 'value');
      } else {
        walk(item, i);
      }
    }
  };
  walk(isDocument(root) ? root.contents : root, 'value');
}
