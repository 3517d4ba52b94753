import type { ProducedMessage, SendResult, TopicMessages } from './client/kafka-client';

/**
 * Split what a batch produces into requests that stay under the broker's
 * message size limit (`message.max.bytes`, 1 MiB by default, applies to a
 * whole record batch per partition). A client puts every message of a
 * partition in one request into one record batch, so a 30k-record consumer
 * batch must go out in several requests. Order within a topic is kept:
 * chunks are sent one after another.
 */
export function chunkTopicMessages(topicMessages: readonly TopicMessages[], maxBytes = 512 * 1024): TopicMessages[][] {
  const chunks: TopicMessages[][] = [];
  let current = new Map<string, ProducedMessage[]>();
  let size = 0;
  const flush = () => {
    if (current.size === 0) return;
    chunks.push([...current].map(([topic, messages]) => ({ topic, messages })));
    current = new Map();
    size = 0;
  };
  for (const { topic, messages } of topicMessages) {
    for (const message of messages) {
      const bytes = approximateSize(message);
      if (size > 0 && size + bytes > maxBytes) flush();
      const list = current.get(topic);
      if (list) list.push(message); else current.set(topic, [message]);
      size += bytes;
    }
  }
  flush();
  return chunks;
}

function approximateSize(message: ProducedMessage): number {
  let size = 64 + lengthOf(message.key) + lengthOf(message.value);
  if (message.headers) {
    for (const [name, value] of Object.entries(message.headers)) size += name.length + (Array.isArray(value) ? value.reduce((n, v) => n + lengthOf(v), 0) : lengthOf(value));
  }
  return size;
}

function lengthOf(value: Buffer | string | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}

/**
 * One produce result per topic-partition for chunks sent in order. Records
 * with an explicit partition (changelog records) are counted, and the base
 * offset is shifted so that `baseOffset + records sent to the partition` is
 * the offset after its last record: what a changelog checkpoint needs.
 */
export function mergeSendResults(chunks: readonly TopicMessages[][], results: readonly SendResult[][]): SendResult[] {
  const merged = new Map<string, { meta: SendResult; total: bigint; end?: bigint }>();
  chunks.forEach((chunk, i) => {
    const counts = new Map<string, number>();
    for (const { topic, messages } of chunk) {
      for (const m of messages) {
        if (m.partition === undefined) continue;
        const key = `${topic}\u0000${m.partition}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    for (const meta of results[i] ?? []) {
      const key = `${meta.topic}\u0000${meta.partition}`;
      const n = BigInt(counts.get(key) ?? 0);
      const previous = merged.get(key);
      const end = meta.baseOffset !== undefined ? BigInt(meta.baseOffset) + n : previous?.end;
      merged.set(key, { meta, total: (previous?.total ?? 0n) + n, end });
    }
  });
  return [...merged.values()].map(({ meta, total, end }) => ({ ...meta, baseOffset: end === undefined ? undefined : (end - total).toString() }));
}
