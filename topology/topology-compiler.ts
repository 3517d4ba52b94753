import * as path from 'node:path';
import type { CheckedDocument, CheckedPipeline } from './internal/checked-document';
import type { CompiledSource, CompiledTopology, GraphNode, ProcessorNode, RepartitionTopic, StepTypeText, SubTopology } from './compiled-topology';
import { typeText, type RecordTypes } from '../operators/value-type';
import { repartitionTopicName } from './internal-topic-names';

type MutableRepartition = { -readonly [K in keyof RepartitionTopic]: RepartitionTopic[K] };
type MutableNode = { -readonly [K in keyof GraphNode]: GraphNode[K] } & { successors: string[]; order: number; changesKey?: boolean; stateful?: boolean };

/**
 * Turns a checked document into the graph the runtime runs: one node per
 * source, step and sink; a repartition topic in front of every stateful step
 * that a key change reaches; sub-topologies as the connected parts that remain
 * (joined by shared stores), numbered in file order.
 */
export function compileTopology(doc: CheckedDocument): CompiledTopology {
  const nodes = new Map<string, MutableNode>();
  let order = 0;
  const add = (node: Omit<MutableNode, 'order'>): void => { nodes.set(node.id, { ...node, order: order++ } as MutableNode); };

  // A global store's source feeds the store in every process, not a task: it is no node of the graph.
  const globalSources = new Set([...doc.stores.values()].flatMap((s) => (s.global ? [s.global.source] : [])));
  for (const source of doc.sources.values()) if (!globalSources.has(source.name)) add({ kind: 'source', id: source.name, source: source.name, topic: source.topic, successors: [] } as never);
  const isGlobal = (store: string): boolean => doc.stores.get(store)?.global !== undefined;
  for (const p of doc.pipelines.values()) {
    for (const step of p.steps) {
      if (!step.spec) continue;
      const stores = [...new Set(step.references.filter((r) => r.kind === 'store').map((r) => r.name))];
      add({
        kind: 'processor', id: step.id, pipeline: p.name, operator: step.operator, spec: step.spec, options: step.options,
        onError: step.onError, stores, types: typesText(step.types),
        // Every task holds all of a global store: a step that uses only global stores needs no co-partitioning.
        successors: [], sideOutputs: {}, changesKey: step.spec.changesKey === true,
        stateful: step.spec.stateful === true && !(stores.length > 0 && stores.every(isGlobal)),
      } as never);
    }
  }
  for (const sink of doc.sinks.values()) add({ kind: 'sink', id: sink.name, sink: sink.name, topic: sink.topic, successors: [] } as never);

  // Who reads each name and which merge steps take each pipeline, once (a scan per name is quadratic).
  const readersOf = new Map<string, CheckedPipeline[]>();
  const mergersOf = new Map<string, string[]>();
  for (const p of doc.pipelines.values()) {
    for (const name of new Set(p.from)) { const list = readersOf.get(name); if (list) list.push(p); else readersOf.set(name, [p]); }
    for (const s of p.steps) {
      if (s.spec?.name !== 'merge') continue;
      for (const name of new Set(s.references.filter((r) => r.kind === 'pipeline').map((r) => r.name))) {
        const list = mergersOf.get(name);
        if (list) list.push(s.id); else mergersOf.set(name, [s.id]);
      }
    }
  }
  const readers = (name: string): CheckedPipeline[] => readersOf.get(name) ?? [];
  const mergers = (name: string): string[] => mergersOf.get(name) ?? [];
  // Where records sent to a pipeline or sink land: its first step, or (empty pipeline) wherever it leads.
  const entries = (target: string, seen = new Set<string>()): string[] => {
    if (doc.sinks.has(target)) return [target];
    const p = doc.pipelines.get(target);
    if (!p || seen.has(target)) return [];
    seen.add(target);
    return p.steps.length > 0 ? [p.steps[0].id] : outputs(p, seen);
  };
  const outputs = (p: CheckedPipeline, seen = new Set<string>()): string[] => [
    ...p.to.flatMap((t) => entries(t, seen)),
    ...readers(p.name).flatMap((r) => entries(r.name, seen)),
    ...mergers(p.name),
  ];
  const linked = new Map<string, Set<string>>();
  const link = (from: string, to: readonly string[]): void => {
    const node = nodes.get(from);
    if (!node) return;
    const seen = linked.get(from) ?? new Set(node.successors);
    linked.set(from, seen);
    for (const t of to) if (!seen.has(t)) { seen.add(t); node.successors.push(t); }
  };
  for (const source of doc.sources.values()) link(source.name, readers(source.name).flatMap((r) => entries(r.name)));
  for (const p of doc.pipelines.values()) {
    p.steps.forEach((step, i) => {
      link(step.id, i + 1 < p.steps.length ? [p.steps[i + 1].id] : outputs(p));
      const node = nodes.get(step.id) as (MutableNode & { sideOutputs: Record<string, string[]> }) | undefined;
      if (!node || step.spec?.name === 'merge') return;
      for (const ref of step.references) {
        if (ref.kind === 'sink' || ref.kind === 'pipeline') node.sideOutputs[ref.name] = entries(ref.name);
      }
    });
  }

  const repartitionTopics = insertRepartitions(doc.name, nodes, add);
  const subTopologies = splitSubTopologies(nodes, doc);
  const stepPartitions = new Map([...doc.pipelines.values()].flatMap((p) => p.steps).filter((s) => s.partitions !== undefined).map((s) => [s.id, s.partitions as number]));
  const subTopologyOf = new Map(subTopologies.flatMap((s) => s.nodes.map((id) => [id, s.id] as const)));
  for (const rp of repartitionTopics) {
    rp.fromSubTopology = subTopologyOf.get(`${rp.forStep}-repartition-sink`) ?? -1;
    rp.toSubTopology = subTopologyOf.get(rp.forStep) ?? -1;
    // Keys meet the user topics of the task that reads them in those topics' own format.
    const keySource = subTopologies[rp.toSubTopology]?.sources[0];
    rp.key = keySource ? (doc.sources.get(keySource) as CompiledSource).key : { format: 'json' };
    if (keySource) rp.keySource = keySource;
    const partitions = stepPartitions.get(rp.forStep);
    if (partitions !== undefined) rp.partitions = partitions;
  }

  const config = doc.config as Record<string, Record<string, unknown>>;
  const processing = config.processing;
  const graph: Record<string, GraphNode> = {};
  for (const node of [...nodes.values()].sort((a, b) => a.order - b.order)) {
    const { order: _order, changesKey: _c, stateful: _s, ...rest } = node;
    graph[node.id] = rest as unknown as GraphNode;
  }
  return {
    file: doc.file,
    name: doc.name,
    kafka: config.kafka as unknown as CompiledTopology['kafka'],
    ...(config.schemaRegistry ? { schemaRegistry: config.schemaRegistry as unknown as CompiledTopology['schemaRegistry'] } : {}),
    processing: {
      guarantee: processing.guarantee as CompiledTopology['processing']['guarantee'],
      commitIntervalMs: processing.commitInterval as number,
      repartitionPurgeIntervalMs: processing.repartitionPurgeInterval as number,
      sessionTimeoutMs: processing.sessionTimeout as number,
      standbyReplicas: processing.standbyReplicas as number,
      ...(typeof processing.groupInstanceId === 'string' ? { groupInstanceId: processing.groupInstanceId } : {}),
      staticMembership: processing.staticMembership as boolean,
      maxEventTimeSkewMs: processing.maxEventTimeSkew as number,
      maxTaskIdleMs: processing.maxTaskIdle as number,
      stateDir: path.resolve(doc.dir, String(processing.stateDir)),
      deadLetterTopic: String(processing.deadLetterTopic),
      ...(typeof processing.maxPartitionFetchBytes === 'number' ? { maxPartitionFetchBytes: processing.maxPartitionFetchBytes } : {}),
      ...(processing.compression !== undefined ? { compression: processing.compression as NonNullable<CompiledTopology['processing']['compression']> } : {}),
    },
    sources: Object.fromEntries(doc.sources),
    sinks: Object.fromEntries(doc.sinks),
    stores: Object.fromEntries(doc.stores),
    nodes: graph,
    subTopologies,
    repartitionTopics,
    tests: doc.tests,
  };
}

/** Node ids in topological order, ties broken by file order (stable describe output). */
export function topologicalOrder(ids: Iterable<string>, successors: (id: string) => readonly string[], orderOf: (id: string) => number): string[] {
  // Members by index, with their order and successors read once: the heap below compares
  // plain numbers (a 20,000-pipeline file spent most of its compile time in Map lookups here).
  const members = [...new Set(ids)];
  const indexOf = new Map(members.map((id, i) => [id, i]));
  const order = members.map(orderOf);
  const next = members.map((id) => successors(id).flatMap((s) => indexOf.get(s) ?? []));
  const indegree = new Int32Array(members.length);
  for (const list of next) for (const s of list) indegree[s]++;
  // A binary heap on file order: sorting the ready list on every step is quadratic on wide graphs.
  const ready: number[] = [];
  const less = (a: number, b: number): boolean => order[a] < order[b];
  const push = (i0: number): void => {
    ready.push(i0);
    for (let i = ready.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!less(ready[i], ready[parent])) break;
      [ready[i], ready[parent]] = [ready[parent], ready[i]];
      i = parent;
    }
  };
  const pop = (): number => {
    const top = ready[0];
    const last = ready.pop() as number;
    if (ready.length > 0) {
      ready[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < ready.length && less(ready[l], ready[m])) m = l;
        if (r < ready.length && less(ready[r], ready[m])) m = r;
        if (m === i) break;
        [ready[i], ready[m]] = [ready[m], ready[i]];
        i = m;
      }
    }
    return top;
  };
  for (let i = 0; i < members.length; i++) if (indegree[i] === 0) push(i);
  const out: string[] = [];
  while (ready.length > 0) {
    const i = pop();
    out.push(members[i]);
    for (const s of next[i]) if (--indegree[s] === 0) push(s);
  }
  return out;
}

/**
 * Kafka Streams' rule: records re-keyed upstream must pass through a topic
 * partitioned by the new key before a stateful step, so each key's state lives
 * in one task. All inputs of such a step are routed through its topic.
 */
function insertRepartitions(app: string, nodes: Map<string, MutableNode>, add: (node: Omit<MutableNode, 'order'>) => void): MutableRepartition[] {
  const sideTargets = (n: MutableNode): string[] => n.kind === 'processor' ? Object.values((n as unknown as ProcessorNode).sideOutputs).flat() : [];
  const next = (id: string): string[] => { const n = nodes.get(id); return n ? [...n.successors, ...sideTargets(n)] : []; };
  const ordered = topologicalOrder(nodes.keys(), next, (id) => nodes.get(id)?.order ?? 0);
  // Predecessors once, in node order: rewiring below changes only the edges into the step it serves,
  // which is behind every later step in topological order.
  const predecessors = new Map<string, MutableNode[]>();
  for (const p of nodes.values()) {
    for (const s of new Set(next(p.id))) {
      const list = predecessors.get(s);
      if (list) list.push(p); else predecessors.set(s, [p]);
    }
  }
  const dirty = new Set<string>(); // nodes whose output carries a changed key
  const topics: MutableRepartition[] = [];
  for (const id of ordered) {
    const node = nodes.get(id) as MutableNode;
    const preds = predecessors.get(id) ?? [];
    const dirtyIn = preds.some((p) => dirty.has(p.id));
    if (node.stateful && dirtyIn) {
      const topic = repartitionTopicName(app, id);
      const sinkId = `${id}-repartition-sink`;
      const sourceId = `${id}-repartition-source`;
      for (const p of preds) {
        p.successors = p.successors.map((s) => (s === id ? sinkId : s));
        if (p.kind === 'processor') {
          const side = (p as unknown as { sideOutputs: Record<string, string[]> }).sideOutputs;
          for (const k of Object.keys(side)) side[k] = side[k].map((s) => (s === id ? sinkId : s));
        }
      }
      add({ kind: 'repartition-sink', id: sinkId, topic, successors: [] } as never);
      add({ kind: 'repartition-source', id: sourceId, topic, successors: [id] } as never);
      // Repartition nodes sort next to the step they serve.
      (nodes.get(sinkId) as MutableNode).order = node.order - 0.5;
      (nodes.get(sourceId) as MutableNode).order = node.order - 0.25;
      topics.push({ topic, forStep: id, fromSubTopology: -1, toSubTopology: -1, key: { format: 'json' } });
    }
    if (node.changesKey || (dirtyIn && !node.stateful && node.kind === 'processor')) dirty.add(id);
  }
  return topics;
}

function splitSubTopologies(nodes: Map<string, MutableNode>, doc: CheckedDocument): SubTopology[] {
  const parent = new Map<string, string>([...nodes.keys()].map((id) => [id, id]));
  const size = new Map<string, number>();
  // Union by size with full path compression: near-constant per call, where long chains made it linear.
  const find = (id: string): string => {
    let r = id;
    while (parent.get(r) !== r) r = parent.get(r) as string;
    for (let c = id; c !== r;) { const up = parent.get(c) as string; parent.set(c, r); c = up; }
    return r;
  };
  const union = (a: string, b: string): void => {
    const ra = find(a), rb = find(b);
    if (ra === rb) return;
    const [small, large] = (size.get(ra) ?? 1) < (size.get(rb) ?? 1) ? [ra, rb] : [rb, ra];
    parent.set(small, large);
    size.set(large, (size.get(ra) ?? 1) + (size.get(rb) ?? 1));
  };
  const storeOwner = new Map<string, string>();
  for (const node of nodes.values()) {
    for (const s of node.successors) union(node.id, s);
    if (node.kind === 'processor') {
      const p = node as unknown as ProcessorNode;
      for (const targets of Object.values(p.sideOutputs)) for (const t of targets) union(node.id, t);
      for (const store of p.stores) {
        if (doc.stores.get(store)?.global) continue;
        const owner = storeOwner.get(store);
        if (owner) union(owner, node.id); else storeOwner.set(store, node.id);
      }
    }
  }
  const groups = new Map<string, string[]>();
  for (const id of nodes.keys()) {
    const root = find(id);
    const group = groups.get(root);
    if (group) group.push(id); else groups.set(root, [id]);
  }
  const orderOf = (id: string): number => nodes.get(id)?.order ?? 0;
  const sorted = [...groups.values()]
    .filter((ids) => ids.some((id) => { const k = nodes.get(id)?.kind; return k === 'source' || k === 'repartition-source'; }))
    .map((ids) => ({ ids, first: ids.reduce((m, id) => Math.min(m, orderOf(id)), Infinity) }))
    .sort((a, b) => a.first - b.first)
    .map((g) => g.ids);
  return sorted.map((ids, index) => {
    const next = (id: string): string[] => {
      const n = nodes.get(id) as MutableNode;
      return n.kind === 'processor' ? [...n.successors, ...Object.values((n as unknown as ProcessorNode).sideOutputs).flat()] : n.successors;
    };
    const order = topologicalOrder(ids, next, orderOf);
    const members = order.map((id) => nodes.get(id) as MutableNode);
    return {
      id: index,
      nodes: order,
      sources: members.filter((n) => n.kind === 'source').map((n) => (n as unknown as { source: string }).source),
      sourceTopics: [...new Set(members.filter((n) => n.kind === 'source' || n.kind === 'repartition-source').map((n) => (n as unknown as { topic: string }).topic))],
      stores: [...new Set(members.flatMap((n) => n.kind === 'processor' ? (n as unknown as ProcessorNode).stores : []))]
        .filter((s) => !doc.stores.get(s)?.global)
        .sort((a, b) => [...doc.stores.keys()].indexOf(a) - [...doc.stores.keys()].indexOf(b)),
    };
  });
}

/** A step's output types as `describe` prints them. */
function typesText(types: RecordTypes | undefined): StepTypeText {
  if (!types) return { key: 'dyn', value: 'dyn', note: 'not typed' };
  return { key: typeText(types.key), value: typeText(types.value), ...(types.note ? { note: types.note } : {}) };
}
