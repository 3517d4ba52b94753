import type { ProducedMessage, TopicMessages } from './client/kafka-client';

/** Bytes (keys and values) a buffer holds before it is written out ahead of the commit. */
export const LATEST_PER_KEY_MAX_BYTES = 8 * 1024 * 1024;

/**
 * The records of `latestPerKey` sinks that a task produced since its last
 * commit, newest per topic and key (Kafka Streams' record cache in front of
 * a table's downstream): a key written ten times in a commit interval is
 * written to Kafka once, at the commit, with its last value. A topic read
 * as a table (a global store's source) then costs every reader one record
 * per key and interval instead of one per change.
 *
 * Keys are compared as encoded bytes, so equal keys are equal whatever their
 * type. Records without a key are not buffered (the caller produces them at
 * once): nothing would replace them.
 */
export class LatestPerKeyBuffer {
  private readonly byTopic = new Map<string, Map<string, ProducedMessage>>();
  private held = 0;

  /** Keeps the message as its key's newest; false (not kept) when it has no key. */
  add(topic: string, message: ProducedMessage): boolean {
    if (message.key === null || message.key === undefined) return false;
    const key = typeof message.key === 'string' ? Buffer.from(message.key) : message.key;
    const id = `${message.partition ?? ''}:${key.toString('latin1')}`;
    let latest = this.byTopic.get(topic);
    if (latest === undefined) {
      latest = new Map();
      this.byTopic.set(topic, latest);
    }
    const before = latest.get(id);
    if (before !== undefined) this.held -= size(before);
    // Delete first: a key keeps the position of its newest write, so the output follows write order.
    latest.delete(id);
    latest.set(id, message);
    this.held += size(message);
    return true;
  }

  /** Bytes held (keys and values). */
  get bytes(): number {
    return this.held;
  }

  get isEmpty(): boolean {
    return this.byTopic.size === 0;
  }

  /** Hands over what is held, per topic in the order keys were last written, and empties the buffer. */
  drain(): TopicMessages[] {
    const out = [...this.byTopic].map(([topic, latest]) => ({ topic, messages: [...latest.values()] }));
    this.byTopic.clear();
    this.held = 0;
    return out;
  }
}

function size(message: ProducedMessage): number {
  const length = (v: Buffer | string | null | undefined): number => (v === null || v === undefined ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length);
  return length(message.key) + length(message.value);
}
