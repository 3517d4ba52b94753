/**
 * The word-totals fixture's side of the runtime tests (test/fixtures/runtime/word-totals.yaml):
 * text lines in, a running count per word out. Shared by the restore and rebalance tests.
 */
import type { Kafka } from 'kafkajs';
import { consumeMessages, IDEMPOTENT } from './services';

/** Every word's expected final count after `lines`. */
export function expectedWordCounts(lines: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) for (const w of line.split(' ')) counts.set(w, (counts.get(w) ?? 0) + 1);
  return counts;
}

/** Produces `lines` as `{text}` JSON values keyed `l<firstIndex + i>`. */
export async function produceLines(kafka: Kafka, topic: string, lines: readonly string[], firstIndex = 0): Promise<void> {
  const producer = kafka.producer(IDEMPOTENT);
  await producer.connect();
  await producer.send({ topic, messages: lines.map((text, i) => ({ key: `l${firstIndex + i}`, value: JSON.stringify({ text }) })) });
  await producer.disconnect();
}

function countOf(value: unknown): number {
  return typeof value === 'number' ? value : Number((value as { count?: number }).count);
}

/**
 * Reads the output until every word's latest count equals the expectation (or the timeout);
 * returns every update read, and the words that did not reach their count.
 */
export async function readUntilWordCounts(
  kafka: Kafka, topic: string, expected: Map<string, number>, options: { readUncommitted?: boolean; timeoutMs?: number } = {},
): Promise<{ updates: Array<{ word: string; count: number }>; short: Array<[string, number]> }> {
  const latest = new Map<string, number>();
  const updates: Array<{ word: string; count: number }> = [];
  await consumeMessages(kafka, topic, Number.MAX_SAFE_INTEGER, {
    timeoutMs: options.timeoutMs ?? 90_000,
    readUncommitted: options.readUncommitted ?? false,
    done: (received) => {
      for (let i = updates.length; i < received.length; i++) {
        const word = received[i].message.key!.toString();
        const count = countOf(JSON.parse(received[i].message.value!.toString()));
        updates.push({ word, count });
        latest.set(word, Math.max(latest.get(word) ?? 0, count));
      }
      return [...expected].every(([w, c]) => latest.get(w) === c);
    },
  });
  return { updates, short: [...expected].filter(([w, c]) => latest.get(w) !== c) };
}
