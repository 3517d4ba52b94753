import type { YAMLMap } from 'yaml';
import type { CompiledSource, CompiledStore } from '../compiled-topology';
import type { CheckedPipeline } from './checked-document';
import { didYouMean } from './did-you-mean';
import type { ProblemSink } from './problem-sink';
import { nodeAt, pairOf } from './spec-checker';
import { changelogTopicName } from '../internal-topic-names';

type Obj = Record<string, unknown>;

/**
 * The store entries of a file, with global stores resolved to their source
 * (`global: <source>`): a global store has no changelog (its source topic is one).
 */
export function compileStores(config: Obj, appName: string, sources: ReadonlyMap<string, CompiledSource>): Map<string, CompiledStore> {
  const stores = new Map<string, CompiledStore>();
  const section = (typeof config.stores === 'object' && config.stores !== null ? config.stores : {}) as Record<string, Obj | null>;
  for (const [storeName, entry] of Object.entries(section)) {
    const raw = entry ?? {};
    const source = typeof raw.global === 'string' ? sources.get(raw.global) : undefined;
    stores.set(storeName, {
      name: storeName, changelog: source === undefined && raw.changelog !== false,
      changelogTopic: changelogTopicName(appName, storeName),
      cache: raw.cache === 'objects' ? 'objects' : 'bytes',
      format: raw.format === 'structured-clone' ? 'structured-clone' : 'json',
      ...(source !== undefined ? { global: { source: source.name, topic: source.topic } } : {}),
    });
  }
  return stores;
}

/**
 * The rules of global stores (Kafka Streams' GlobalKTable): the store names a
 * declared source; it has no changelog of its own; no
 * pipeline reads its source's topic (the topic belongs to the store, as in
 * Kafka Streams, where a topic is either a global source or a stream source);
 * and no step writes it (only options declared `access: read` may name it).
 */
export function checkGlobalStores(
  root: YAMLMap, config: Obj, sources: ReadonlyMap<string, CompiledSource>,
  stores: ReadonlyMap<string, CompiledStore>, pipelines: ReadonlyMap<string, CheckedPipeline>, sink: ProblemSink,
): void {
  const section = (typeof config.stores === 'object' && config.stores !== null ? config.stores : {}) as Record<string, Obj | null>;
  const globalTopics = new Map<string, string>();
  for (const [name, entry] of Object.entries(section)) {
    const raw = entry ?? {};
    if (typeof raw.global !== 'string') continue;
    const node = nodeAt(root, ['stores', name]);
    if (!sources.has(raw.global)) {
      sink.report(nodeAt(node, ['global']), 'unknown-reference', `global store '${name}' is filled from unknown source '${raw.global}'${didYouMean(raw.global, sources.keys())}`);
    }
    const changelogPair = pairOf(node, 'changelog');
    if (changelogPair) {
      sink.report(changelogPair, 'option', `global store '${name}' takes no 'changelog': its source topic is its changelog`);
    }
    const cachePair = pairOf(node, 'cache');
    if (cachePair) {
      sink.report(cachePair, 'option', `global store '${name}' takes no 'cache': steps only read it, and every process keeps its values parsed once per change`);
    }
    const formatPair = pairOf(node, 'format');
    if (formatPair) {
      sink.report(formatPair, 'option', `global store '${name}' takes no 'format': its values are its source topic's, in that topic's format`);
    }
    const topic = stores.get(name)?.global?.topic;
    if (topic !== undefined && !globalTopics.has(topic)) globalTopics.set(topic, name);
  }
  if (globalTopics.size === 0) return;

  const sourceTopic = (source: string): string | undefined => sources.get(source)?.topic;
  for (const p of pipelines.values()) {
    p.from.forEach((ref, i) => {
      const topic = sourceTopic(ref);
      const store = topic === undefined ? undefined : globalTopics.get(topic);
      if (store === undefined) return;
      sink.report(p.fromNodes[i], 'option',
        `pipeline '${p.name}' reads source '${ref}', whose topic ${topic} fills global store '${store}'; a global store's topic is read by the store only: look its rows up with join-stream-table (table: ${store}) instead`);
    });
    for (const step of p.steps) {
      for (const ref of step.references) {
        if (ref.kind !== 'store' || (ref.access ?? 'read-write') === 'read') continue;
        const global = stores.get(ref.name)?.global;
        if (global === undefined) continue;
        sink.report(ref.node, 'option',
          `step '${step.id}' (${step.operator}) may write store '${ref.name}', but '${ref.name}' is a global store, read-only to steps (it is filled from source '${global.source}'); read it through an option declared 'access: read' such as join-stream-table's 'table', or write to the topic ${global.topic} instead`);
      }
    }
  }
}
