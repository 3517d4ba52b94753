import type { CheckedPipeline } from './checked-document';
import type { ProblemSink } from './problem-sink';
import { kahnOrder } from './pipeline-order';

/**
 * The most steps a record may pass through one after another, across
 * pipelines chained by `from`/`to`. A record goes down a chain as nested calls
 * (RxJS pushes it from each operator into the next), so a chain is bounded by
 * the JavaScript stack: the test driver overflowed between 700 and 800 filter
 * steps in a row here, whether in one pipeline or one in each of 800 chained
 * pipelines (a hop between pipelines added nothing measurable). The limit
 * leaves room for the runtime's own frames and for operators that nest more
 * than a filter; test/integration/topology/chain-depth-runs.test.ts runs a
 * chain at the limit on the broker (decision 0038).
 */
export const MAX_CHAIN_DEPTH = 400;

/** A pipeline-to-pipeline edge (pipeline-checker.ts finds them). */
export interface ChainEdge { readonly from: string; readonly to: string }

/**
 * Reports each place where a chain of steps first goes past
 * {@link MAX_CHAIN_DEPTH}: the step at which it does, with the chain's way
 * there. `backEdges` (those that close a cycle, reported elsewhere) are left
 * out, so what remains is acyclic and walked once in topological order (no
 * recursion: the chains are long). False when a chain is too deep: later
 * checks, whose cost grows with the file, are not worth running on it.
 */
export function checkChainDepth(pipelines: ReadonlyMap<string, CheckedPipeline>, edges: readonly ChainEdge[], backEdges: ReadonlySet<ChainEdge>, sink: ProblemSink): boolean {
  const acyclic = backEdges.size === 0 ? edges : edges.filter((e) => !backEdges.has(e));
  const out = new Map<string, string[]>();
  for (const e of acyclic) {
    const list = out.get(e.from);
    if (list) list.push(e.to); else out.set(e.from, [e.to]);
  }
  // Per pipeline: the deepest chain that reaches its first step, and the pipeline it came through.
  const arrival = new Map<string, { depth: number; via?: string }>();
  let ok = true;
  for (const name of kahnOrder(pipelines, acyclic)) {
    const p = pipelines.get(name)!;
    const at = arrival.get(name) ?? { depth: 0 };
    const depth = at.depth + p.steps.length;
    if (at.depth <= MAX_CHAIN_DEPTH && depth > MAX_CHAIN_DEPTH) {
      ok = false;
      const step = p.steps[MAX_CHAIN_DEPTH - at.depth];
      sink.report(step.node, 'limit', `step '${step.id}' is step ${(MAX_CHAIN_DEPTH + 1).toLocaleString('en-US')} of a chain (${chainText(name, arrival)}): a record passes a chain of steps as nested calls, so a chain may be at most ${MAX_CHAIN_DEPTH} steps long; split the work over fewer steps`);
    }
    for (const next of out.get(name) ?? []) {
      const before = arrival.get(next);
      if (!before || depth > before.depth) arrival.set(next, { depth, via: name });
    }
  }
  return ok;
}

/** The chain into `name` by its deepest way: its first pipelines, how many more, and its last ones. */
function chainText(name: string, arrival: ReadonlyMap<string, { via?: string }>): string {
  const path: string[] = [name];
  for (let via = arrival.get(name)?.via; via !== undefined; via = arrival.get(via)?.via) path.push(via);
  path.reverse();
  if (path.length === 1) return `pipeline ${name}`;
  if (path.length <= 6) return `pipelines ${path.join(' -> ')}`;
  return `pipelines ${path.slice(0, 3).join(' -> ')} -> … (${(path.length - 6).toLocaleString('en-US')} more) … -> ${path.slice(-3).join(' -> ')}`;
}
