import { isSeq, type Node } from 'yaml';
import type { ProblemSink } from './problem-sink';

/** Kafka's limit on a topic name's length (TopicNameValidator / Topic.MAX_NAME_LENGTH). */
export const MAX_TOPIC_NAME_LENGTH = 249;

/**
 * Why Kafka would refuse `name` as a topic name, or undefined when it is legal:
 * 1 to 249 of `[a-zA-Z0-9._-]`, and not `.` or `..` (Kafka's
 * `org.apache.kafka.common.internals.Topic.validate`).
 */
export function topicNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name === '.' || name === '..') return `may not be '${name}'`;
  if (name.length > MAX_TOPIC_NAME_LENGTH) return `is ${name.length} characters long; Kafka allows at most ${MAX_TOPIC_NAME_LENGTH}`;
  const bad = [...new Set(name.replace(/[a-zA-Z0-9._-]/g, ''))];
  if (bad.length > 0) return `holds ${bad.map((c) => (c === ' ' ? 'a space' : `'${c}'`)).join(', ')}; Kafka allows only letters, digits, '.', '_' and '-'`;
  return undefined;
}

/** Reports a topic name Kafka would refuse, at `node`; `what` says which topic (e.g. "sinks.out.topic"). */
export function checkTopicName(name: string, what: string, node: Node | undefined, sink: ProblemSink): void {
  const problem = topicNameProblem(name);
  if (problem !== undefined) sink.report(node, 'option', `${what}: '${name.length > 60 ? `${name.slice(0, 60)}…` : name}' is not a legal Kafka topic name: it ${problem}`);
}

/**
 * The bootstrap brokers as the client gets them (comma-separated entries split,
 * blanks dropped); reports a list that ends up empty, e.g. `[]`, `""` or an
 * unset `${BROKERS:-}`, which would otherwise fail only when the app connects.
 */
export function checkBrokers(brokers: readonly string[], node: Node | undefined, sink: ProblemSink): string[] {
  const list = brokers.flatMap((b) => String(b).split(',')).map((b) => b.trim()).filter(Boolean);
  if (list.length === 0) {
    const at = isSeq(node) && node.items.length > 0 ? node.items[0] as Node : node;
    sink.report(at, 'option', `kafka.brokers must name at least one broker (host:port), found ${brokers.length === 0 ? 'an empty list' : 'only empty text'}; leave kafka.brokers out for the default 127.0.0.1:9092`);
  }
  return list;
}
