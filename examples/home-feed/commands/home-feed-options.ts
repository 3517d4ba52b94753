import { InvalidArgumentError, type Command } from 'commander';
import { parseDuration } from '../../../topology/duration';

/**
 * The options and option parsers `tributary generate` and `tributary evaluate` share:
 * one owner, so the two commands name, default and check them alike (evaluate reads
 * what generate wrote).
 */

/** An integer ≥ `min`; underscores may separate thousands (100_000). */
export const integer = (what: string, min: number) => (text: string): number => {
  const n = Number(text.replace(/_/g, ''));
  if (text.trim() === '' || !Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${what} must be an integer >= ${min}, not '${text}'`);
  return n;
};

/** A number ≥ 0. */
export const nonNegative = (what: string) => (text: string): number => {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${what} must be a number >= 0, not '${text}'`);
  return n;
};

/** An ISO-8601 time or epoch milliseconds. */
export const startTime = (text: string): number => {
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms) || ms < 0) throw new InvalidArgumentError(`'${text}' is not a time (ISO-8601, e.g. 2026-01-05T00:00:00Z, or epoch ms)`);
  return ms;
};

/** A positive duration in the topology language's form (6h, 2d, 90m). */
export const duration = (text: string): number => {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new InvalidArgumentError(`'${text}' is not a duration (e.g. 6h, 2d, 90m)`);
  return ms;
};

/** Positive integers, comma-separated (cut-offs K). */
export const integerList = (what: string) => (text: string): number[] => {
  const values = text.split(',').map((s) => Number(s.trim()));
  if (values.some((k) => !Number.isInteger(k) || k < 1)) throw new InvalidArgumentError(`${what} takes positive integers, comma-separated (e.g. 10,25), not '${text}'`);
  return values;
};

/** The options both commands take, with the values they share. */
export interface HomeFeedKafkaOptions {
  brokers: string;
  registry: string;
  engagementsTopic: string;
  holdoutTopic?: string;
  holdoutFile?: string;
}

/**
 * Adds the Kafka, registry, engagement-topic and held-out options. `role` words the
 * help for the command: generate writes these, evaluate reads them.
 */
export function homeFeedKafkaOptions(command: Command, role: 'write' | 'read'): Command {
  const held = role === 'write' ? 'for held-out future engagements' : 'held-out engagements, as `tributary generate` wrote them';
  return command
    .option('--brokers <list>', 'Kafka bootstrap servers, comma-separated', '127.0.0.1:9092')
    .option('--registry <url>', 'schema registry (Confluent API) base URL', 'http://127.0.0.1:8081/apis/ccompat/v7')
    .option('--engagements-topic <topic>', role === 'write' ? 'topic of engagement events (key userId)' : 'the engagement stream the recommender saw', 'engagements')
    .option('--holdout-topic <topic>', `topic ${held} (Avro, key userId)`)
    .option('--holdout-file <file>', `file ${held} (JSON lines)`);
}
