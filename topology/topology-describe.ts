import type { CompiledSink, CompiledSource, CompiledTopology, GraphNode, ProcessorNode } from './compiled-topology';

/** The formats `tributary describe` prints. */
export type DescribeFormat = 'text' | 'mermaid' | 'json';

/** Predecessors of every node, forward edges first then side outputs, in node order. */
function predecessors(t: CompiledTopology): Map<string, string[]> {
  const preds = new Map<string, string[]>(Object.keys(t.nodes).map((id) => [id, []]));
  for (const node of Object.values(t.nodes)) {
    for (const s of outgoing(node).map((e) => e.to)) {
      const list = preds.get(s);
      if (list && !list.includes(node.id)) list.push(node.id);
    }
  }
  return preds;
}

/** Every edge out of a node: forward edges, then side outputs labelled by their target name. */
function outgoing(node: GraphNode): Array<{ to: string; side?: string }> {
  const out: Array<{ to: string; side?: string }> = node.successors.map((to) => ({ to }));
  if (node.kind === 'processor') {
    for (const [target, ids] of Object.entries(node.sideOutputs)) for (const to of ids) out.push({ to, side: target });
  }
  return out;
}

function label(node: GraphNode, t: CompiledTopology): string {
  switch (node.kind) {
    case 'source': return `Source: ${node.id} (${[`topic: ${node.topic}`, ...settingsText(sourceSettings(t.sources[node.source]))].join(', ')})`;
    case 'repartition-source': return `Source: ${node.id} (topic: ${node.topic}, repartition)`;
    case 'sink': return `Sink: ${node.id} (${[`topic: ${t.sinks[node.sink]?.topic ?? node.topic}`, ...settingsText(sinkSettings(t.sinks[node.sink]))].join(', ')})`;
    case 'repartition-sink': return `Sink: ${node.id} (topic: ${node.topic}, repartition)`;
    case 'processor': {
      const extras = [`operator: ${node.operator}`];
      if (node.stores.length > 0) extras.push(`stores: ${node.stores.join(', ')}`);
      if (node.onError !== 'dead-letter') extras.push(`onError: ${node.onError}`);
      return `Processor: ${node.id} (${extras.join(', ')})`;
    }
  }
}

/** A source's settings that differ from the defaults (describe shows only these). */
function sourceSettings(source: CompiledSource | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (source?.onError !== undefined && source.onError !== 'dead-letter') out.onError = source.onError;
  if (source?.subjectNameStrategy !== undefined && source.subjectNameStrategy !== 'topic') out.subjectNameStrategy = source.subjectNameStrategy;
  return out;
}

/** A sink's settings that differ from the defaults. */
function sinkSettings(sink: CompiledSink | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (sink?.compression !== undefined && sink.compression !== 'none') out.compression = sink.compression;
  if (sink?.subjectNameStrategy !== undefined && sink.subjectNameStrategy !== 'topic') out.subjectNameStrategy = sink.subjectNameStrategy;
  if (sink?.latestPerKey === true) out.latestPerKey = 'true';
  return out;
}

/** Application-wide settings that differ from the defaults and belong to no node. */
function appSettings(t: CompiledTopology): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  if (t.schemaRegistry?.autoRegister === true) out['schemaRegistry.autoRegister'] = true;
  if (t.processing.compression !== undefined && t.processing.compression !== 'none') out['processing.compression'] = t.processing.compression;
  if (t.processing.maxPartitionFetchBytes !== undefined) out['processing.maxPartitionFetchBytes'] = String(t.processing.maxPartitionFetchBytes);
  if (t.processing.sessionTimeoutMs !== 30_000) out['processing.sessionTimeout'] = `${t.processing.sessionTimeoutMs}ms`;
  if (t.processing.standbyReplicas !== 0) out['processing.standbyReplicas'] = String(t.processing.standbyReplicas);
  if (!t.processing.staticMembership) out['processing.staticMembership'] = false;
  if (t.processing.groupInstanceId !== undefined) out['processing.groupInstanceId'] = t.processing.groupInstanceId;
  return out;
}

function settingsText(settings: Record<string, string | boolean>): string[] {
  return Object.entries(settings).map(([k, v]) => `${k}: ${String(v)}`);
}

/**
 * A stable, readable text form of the compiled graph in the manner of Kafka
 * Streams' `Topology#describe()`: sub-topologies in order, each node with
 * `-->` successors, `~~>` side outputs and `<--` predecessors. Tests compare it exactly.
 */
export function describeText(t: CompiledTopology): string {
  const preds = predecessors(t);
  const lines: string[] = [`Topology: ${t.name}`, 'Sub-topologies:'];
  for (const sub of t.subTopologies) {
    lines.push(`  Sub-topology: ${sub.id}${sub.stores.length > 0 ? ` (stores: ${sub.stores.join(', ')})` : ''}`);
    for (const id of sub.nodes) {
      const node = t.nodes[id];
      lines.push(`    ${label(node, t)}`);
      if (node.kind === 'processor') lines.push(`      types: ${typesLine(node)}`);
      for (const e of outgoing(node)) lines.push(e.side ? `      ~~> ${e.to} (side output: ${e.side})` : `      --> ${e.to}`);
      const from = preds.get(id) ?? [];
      if (from.length > 0) lines.push(`      <-- ${from.join(', ')}`);
    }
  }
  const stores = Object.values(t.stores);
  if (stores.length > 0) {
    lines.push('Stores:');
    for (const s of stores) {
      // Every store is a key-value store; the word stays so the line reads as before.
      const parts = s.global
        ? ['key-value', `global, from source ${s.global.source} (${s.global.topic})`]
        : ['key-value', s.changelog ? `changelog: ${s.changelogTopic}` : 'no changelog', ...(s.cache === 'objects' ? ['cache: objects'] : []), ...(s.format === 'structured-clone' ? ['format: structured-clone'] : [])];
      lines.push(`  ${s.name} (${parts.join(', ')})`);
    }
  }
  if (t.repartitionTopics.length > 0) {
    lines.push('Repartition topics:');
    for (const r of t.repartitionTopics) lines.push(`  ${r.topic} (sub-topology ${r.fromSubTopology} -> ${r.toSubTopology}, before ${r.forStep})`);
  }
  const settings = settingsText(appSettings(t));
  if (settings.length > 0) {
    lines.push('Settings:');
    for (const line of settings) lines.push(`  ${line}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `key string, value {user: string, n: double}`; a dyn value says why: `value dyn (json values are dyn (source 'clicks'))`. */
function typesLine(node: ProcessorNode): string {
  const t = node.types;
  return `key ${t.key}, value ${t.value}${t.note && t.value === 'dyn' ? ` (${t.note})` : ''}`;
}

function mermaidText(text: string): string {
  return text.replace(/"/g, '#quot;');
}

/** A Mermaid flowchart: one subgraph per sub-topology, stores as cylinders, side outputs dotted. */
export function describeMermaid(t: CompiledTopology): string {
  const ids = new Map(Object.keys(t.nodes).map((id, i) => [id, `n${i}`]));
  const lines = ['flowchart LR'];
  for (const sub of t.subTopologies) {
    lines.push(`  subgraph st${sub.id}["Sub-topology ${sub.id}"]`);
    for (const id of sub.nodes) {
      const node = t.nodes[id];
      const m = ids.get(id) as string;
      if (node.kind === 'processor') lines.push(`    ${m}["${mermaidText(`${id}<br/>${node.operator}`)}"]`);
      else if (node.kind === 'source' || node.kind === 'repartition-source') lines.push(`    ${m}[/"${mermaidText(`${id}<br/>${node.topic}`)}"/]`);
      else lines.push(`    ${m}[\\"${mermaidText(`${id}<br/>${node.topic}`)}"\\]`);
    }
    lines.push('  end');
  }
  for (const node of Object.values(t.nodes)) {
    for (const e of outgoing(node)) {
      lines.push(e.side ? `  ${ids.get(node.id)} -. ${mermaidText(e.side)} .-> ${ids.get(e.to)}` : `  ${ids.get(node.id)} --> ${ids.get(e.to)}`);
    }
  }
  for (const r of t.repartitionTopics) {
    lines.push(`  ${ids.get(`${r.forStep}-repartition-sink`)} -. repartition .-> ${ids.get(`${r.forStep}-repartition-source`)}`);
  }
  Object.values(t.stores).forEach((s, i) => {
    lines.push(`  s${i}[("${mermaidText(s.name)}")]`);
    for (const node of Object.values(t.nodes)) {
      if (node.kind === 'processor' && node.stores.includes(s.name)) lines.push(`  ${ids.get(node.id)} --- s${i}`);
    }
  });
  return `${lines.join('\n')}\n`;
}

/** The graph as data: nodes (id, kind, operator), edges, stores, topics, sub-topologies. */
export function describeJson(t: CompiledTopology): object {
  const subOf = new Map<string, number>();
  for (const sub of t.subTopologies) for (const id of sub.nodes) subOf.set(id, sub.id);
  return {
    name: t.name,
    nodes: Object.values(t.nodes).map((n) => ({
      id: n.id,
      kind: n.kind,
      ...(n.kind === 'processor' ? { operator: n.operator, pipeline: n.pipeline, stores: n.stores, onError: n.onError, options: n.options, types: n.types } : { topic: n.topic }),
      subTopology: subOf.get(n.id) ?? null,
    })),
    edges: Object.values(t.nodes).flatMap((n) => outgoing(n).map((e) => ({ from: n.id, to: e.to, kind: e.side ? 'side-output' : 'forward', ...(e.side ? { target: e.side } : {}) }))),
    stores: Object.values(t.stores),
    topics: {
      sources: Object.values(t.sources).map((s) => ({ name: s.name, topic: s.topic, key: s.key.format, value: s.value.format, ...sourceSettings(s) })),
      sinks: Object.values(t.sinks).map((s) => ({ name: s.name, topic: s.topic, key: s.key.format, value: s.value.format, ...sinkSettings(s) })),
      repartition: t.repartitionTopics,
      changelog: Object.values(t.stores).filter((s) => s.changelog).map((s) => s.changelogTopic),
    },
    subTopologies: t.subTopologies,
    ...(Object.keys(appSettings(t)).length > 0 ? { settings: appSettings(t) } : {}),
  };
}

/** Describes a compiled topology in one of the formats. */
export function describeTopology(t: CompiledTopology, format: DescribeFormat = 'text'): string {
  if (format === 'json') return `${JSON.stringify(describeJson(t), null, 2)}\n`;
  return format === 'mermaid' ? describeMermaid(t) : describeText(t);
}
