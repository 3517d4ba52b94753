import { CompressionTypes, type TopicMessages } from 'kafkajs';
import type { CompiledTopology, CompressionCodec } from '../../topology/compiled-topology';

/** The kafkajs compression of the record batches produced to a topic. */
export type TopicCompression = (topic: string) => CompressionTypes;

const kafkajsCodec: Record<CompressionCodec, CompressionTypes> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
};

/**
 * Which codec each produced topic gets. Precedence: the sink's `compression`,
 * then `processing.compression` (also for the DLQ, repartition and changelog
 * topics), then `fallback` (StreamApp's `compression` code option), then none.
 */
export function topicCompression(topology: CompiledTopology, fallback: CompressionTypes = CompressionTypes.None): TopicCompression {
  const byTopic = new Map<string, CompressionTypes>();
  for (const sink of Object.values(topology.sinks)) {
    // Two sinks on one topic: the first declared decides (one codec per produce request and topic).
    if (sink.compression !== undefined && !byTopic.has(sink.topic)) byTopic.set(sink.topic, kafkajsCodec[sink.compression]);
  }
  const others = topology.processing.compression !== undefined ? kafkajsCodec[topology.processing.compression] : fallback;
  return (topic) => byTopic.get(topic) ?? others;
}

/**
 * Splits one produce request's topics by codec: kafkajs' sendBatch takes one
 * compression per call, so topics with different codecs go in separate calls.
 * Each topic lands in exactly one group, which keeps its messages' order.
 */
export function groupByCompression(
  topicMessages: readonly TopicMessages[], compression: CompressionTypes | TopicCompression,
): Array<{ compression: CompressionTypes; topicMessages: TopicMessages[] }> {
  if (typeof compression !== 'function') return [{ compression, topicMessages: [...topicMessages] }];
  const groups = new Map<CompressionTypes, TopicMessages[]>();
  for (const entry of topicMessages) {
    const codec = compression(entry.topic);
    const group = groups.get(codec);
    if (group) group.push(entry); else groups.set(codec, [entry]);
  }
  return [...groups].map(([codec, entries]) => ({ compression: codec, topicMessages: entries }));
}
