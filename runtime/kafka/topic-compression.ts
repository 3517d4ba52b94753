import type { CompiledTopology, CompressionCodec } from '../../topology/compiled-topology';
import type { TopicMessages } from './client/kafka-client';

/** The compression of the record batches produced to a topic. */
export type TopicCompression = (topic: string) => CompressionCodec;

/**
 * Which codec each produced topic gets. Precedence: the sink's `compression`,
 * then `processing.compression` (also for the DLQ, repartition and changelog
 * topics), then `fallback` (StreamApp's `compression` code option), then none.
 */
export function topicCompression(topology: CompiledTopology, fallback: CompressionCodec = 'none'): TopicCompression {
  const byTopic = new Map<string, CompressionCodec>();
  for (const sink of Object.values(topology.sinks)) {
    // Two sinks on one topic: the first declared decides (one codec per produce request and topic).
    if (sink.compression !== undefined && !byTopic.has(sink.topic)) byTopic.set(sink.topic, sink.compression);
  }
  const others = topology.processing.compression ?? fallback;
  return (topic) => byTopic.get(topic) ?? others;
}

/**
 * Splits one produce request's topics by codec: a send takes one compression
 * per call, so topics with different codecs go in separate calls. Each topic
 * lands in exactly one group, which keeps its messages' order.
 */
export function groupByCompression(
  topicMessages: readonly TopicMessages[], compression: CompressionCodec | TopicCompression,
): Array<{ compression: CompressionCodec; topicMessages: TopicMessages[] }> {
  if (typeof compression !== 'function') return [{ compression, topicMessages: [...topicMessages] }];
  const groups = new Map<CompressionCodec, TopicMessages[]>();
  for (const entry of topicMessages) {
    const codec = compression(entry.topic);
    const group = groups.get(codec);
    if (group) group.push(entry); else groups.set(codec, [entry]);
  }
  return [...groups].map(([codec, entries]) => ({ compression: codec, topicMessages: entries }));
}
