import type { Kafka } from 'kafkajs';
import { BENCH_AGGREGATE_SCHEMA_PATH, loadAvsc } from '../../test/helpers/bench-schemas';
import { unframeConfluent } from '../../test/helpers/confluent-frame';
import { readTopic } from '../../test/helpers/topic-reader';

/** Result of {@link checkAggregateOutput}. */
export interface AggregateOutputCheck {
  readonly outputRecords: number;
  /** Keys whose last (highest-count) output differs from the expected final (count, sum). */
  readonly wrongKeys: number;
  /** Expected keys with no output at all. */
  readonly missingKeys: number;
  /** Output records beyond one per input (re-deliveries). */
  readonly extraRecords: number;
  readonly undecodable: number;
  readonly ok: boolean;
  /** A few example problems, for the log. */
  readonly examples: readonly string[];
}

/**
 * Reads the count+sum output topic and checks each key's final aggregate against the
 * expected one: the cheap end-of-benchmark check that both applications did the same work.
 * (The fault suite's verifier in test/faults checks every single output instead.)
 */
export async function checkAggregateOutput(
  kafka: Kafka,
  topic: string,
  expected: ReadonlyMap<string, { count: number; sum: number }>,
  isolation: 'read_committed' | 'read_uncommitted',
): Promise<AggregateOutputCheck> {
  const type = loadAvsc(BENCH_AGGREGATE_SCHEMA_PATH).type;
  const last = new Map<string, { count: number; sum: number }>();
  let undecodable = 0;
  const read = await readTopic(kafka, topic, {
    isolation,
    onRecord: (r) => {
      if (!r.key || !r.value) { undecodable++; return; }
      try {
        const v = type.fromBuffer(unframeConfluent(r.value).body) as { count: number | bigint; sum: number | bigint };
        const key = r.key.toString();
        const count = Number(v.count);
        const prev = last.get(key);
        if (!prev || count >= prev.count) last.set(key, { count, sum: Number(v.sum) });
      } catch {
        undecodable++;
      }
    },
  });
  let wrongKeys = 0;
  let missingKeys = 0;
  let expectedRecords = 0;
  const examples: string[] = [];
  for (const [key, want] of expected) {
    expectedRecords += want.count;
    const got = last.get(key);
    if (!got) {
      missingKeys++;
      if (examples.length < 5) examples.push(`${key}: no output, expected count ${want.count} sum ${want.sum}`);
    } else if (got.count !== want.count || got.sum !== want.sum) {
      wrongKeys++;
      if (examples.length < 5) examples.push(`${key}: got count ${got.count} sum ${got.sum}, expected count ${want.count} sum ${want.sum}`);
    }
  }
  const extraRecords = Math.max(0, read.records - expectedRecords);
  return {
    outputRecords: read.records,
    wrongKeys,
    missingKeys,
    extraRecords,
    undecodable,
    ok: wrongKeys === 0 && missingKeys === 0 && undecodable === 0 && read.records >= expectedRecords,
    examples,
  };
}
