import * as avro from 'avsc';
import { CompressionTypes, type Kafka, type Message } from 'kafkajs';
import { generateBenchEvents, type BenchEvent, type BenchEventPlan } from './bench-event-generator';
import { BENCH_EVENT_SCHEMA_PATH, loadAvsc } from './bench-schemas';
import { frameConfluent } from './confluent-frame';
import { registerAvroSchema } from './schema-registration';

/** Options of {@link produceBenchInput}. */
export interface BenchInputOptions extends BenchEventPlan {
  readonly kafka: Kafka;
  /** An existing topic (see createRandomTopic); its partitions are used as they are. */
  readonly topic: string;
  readonly registryUrl: string;
  /** Messages per produce request; one request in flight keeps per-key order. */
  readonly batchSize?: number;
  /**
   * Chooses records to corrupt (poison): they get bytes that are not a valid Avro body
   * behind a valid header. Returns true to poison the event.
   */
  readonly poison?: (event: BenchEvent) => boolean;
  /**
   * Chooses events a schema-incompatible producer writes: framed with the id of
   * {@link INCOMPATIBLE_SCHEMA} (registered under its own subject) and holding only the
   * marker `poison-<index>`, so readers of bench-event.avsc must dead-letter them.
   */
  readonly incompatible?: (event: BenchEvent) => boolean;
  /** Input rate in events/s (batches are paced to it); unpaced when absent. */
  readonly ratePerSec?: number;
  /** Event time of record `index` (ms); the default is the wall clock at send time. */
  readonly eventTime?: (index: number) => number;
}

/**
 * The body written for a poison event: behind a valid header, bytes no Avro reader of
 * bench-event.avsc accepts (0x7e announces a 63-byte string; fewer follow), ending with
 * `poison-<index>` so a dead-letter record can be traced to its input.
 */
export function poisonBody(index: number): Buffer {
  return Buffer.concat([Buffer.from([0x7e]), Buffer.from(`poison-${index}`, 'ascii')]);
}

/** The schema of the schema-incompatible producer: nothing a bench-event reader can resolve. */
export const INCOMPATIBLE_SCHEMA = {
  type: 'record', name: 'LegacyEvent', namespace: 'dev.tributary.bench.legacy',
  fields: [{ name: 'marker', type: 'string' }],
};

/** What was written. */
export interface BenchInputSummary {
  readonly topic: string;
  readonly schemaId: number;
  readonly records: number;
  readonly poisoned: number;
  /** Events written by the schema-incompatible producer. */
  readonly incompatible: number;
  readonly elapsedMs: number;
}

/**
 * Writes the plan's events to `topic`: key = user id, value = Avro (bench-event.avsc) in the
 * Confluent wire format with the id the registry gave for subject `<topic>-value`. Requests
 * are sent one at a time with acks=all, so per-key order is the generation order.
 */
export async function produceBenchInput(opts: BenchInputOptions): Promise<BenchInputSummary> {
  const schema = loadAvsc(BENCH_EVENT_SCHEMA_PATH);
  const schemaId = await registerAvroSchema(opts.registryUrl, `${opts.topic}-value`, schema.json);
  const legacy = opts.incompatible ? avro.Type.forSchema(INCOMPATIBLE_SCHEMA as avro.Schema) : undefined;
  const legacyId = opts.incompatible ? await registerAvroSchema(opts.registryUrl, `${opts.topic}-legacy-value`, INCOMPATIBLE_SCHEMA) : 0;
  let incompatible = 0;
  const producer = opts.kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const started = Date.now();
  const batchSize = opts.batchSize ?? 2000;
  let batch: Message[] = [];
  let poisoned = 0;
  let records = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    await producer.send({ topic: opts.topic, messages: batch, acks: -1, compression: CompressionTypes.None });
    batch = [];
    if (opts.ratePerSec) {
      const due = started + (records / opts.ratePerSec) * 1000;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  };
  try {
    for (const e of generateBenchEvents(opts)) {
      const timestamp = opts.eventTime ? opts.eventTime(e.index) : Date.now();
      let body = schema.type.toBuffer({ userId: e.userId, itemId: e.itemId, amount: e.amount, eventTime: timestamp });
      if (opts.poison?.(e)) {
        body = poisonBody(e.index);
        poisoned++;
      }
      let id = schemaId;
      if (legacy && !opts.poison?.(e) && opts.incompatible?.(e)) {
        body = legacy.toBuffer({ marker: `poison-${e.index}` });
        id = legacyId;
        incompatible++;
      }
      batch.push({ key: e.key, value: frameConfluent(id, body), timestamp: String(timestamp) });
      records++;
      if (batch.length >= batchSize) await flush();
    }
    await flush();
  } finally {
    await producer.disconnect();
  }
  return { topic: opts.topic, schemaId, records, poisoned, incompatible, elapsedMs: Date.now() - started };
}
