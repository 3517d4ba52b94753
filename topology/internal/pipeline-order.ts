import type { CheckedPipeline } from './checked-document';

/** Pipelines upstream first (Kahn's algorithm, file order among the ready); pipelines in a cycle are left out. */
export function kahnOrder(pipelines: ReadonlyMap<string, CheckedPipeline>, edges: ReadonlyArray<{ from: string; to: string }>): string[] {
  const indegree = new Map<string, number>([...pipelines.keys()].map((n) => [n, 0]));
  const out = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const e of edges) {
    const id = `${e.from}\u0000${e.to}`;
    if (seen.has(id) || !indegree.has(e.from) || !indegree.has(e.to)) continue;
    seen.add(id);
    indegree.set(e.to, (indegree.get(e.to) ?? 0) + 1);
    const list = out.get(e.from);
    if (list) list.push(e.to); else out.set(e.from, [e.to]);
  }
  const ready = [...pipelines.keys()].filter((n) => indegree.get(n) === 0);
  const order: string[] = [];
  for (let i = 0; i < ready.length; i++) {
    const name = ready[i];
    order.push(name);
    for (const next of out.get(name) ?? []) {
      const left = (indegree.get(next) ?? 0) - 1;
      indegree.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  return order;
}
