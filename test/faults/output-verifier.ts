import type { Kafka } from 'kafkajs';
import { readTopic, type ReadRecord } from '../helpers/topic-reader';
import { verifyDelivery, type DeliveryGuarantee, type DeliveryReport } from './delivery-verifier';

/** Where the outputs are and how to name them. */
export interface OutputVerification {
  readonly kafka: Kafka;
  readonly guarantee: DeliveryGuarantee;
  readonly outputTopic: string;
  readonly outputIdentity: (r: ReadRecord) => string;
  readonly expectedOutputs: Iterable<string>;
  readonly dlqTopic?: string;
  readonly dlqIdentity?: (r: ReadRecord) => string;
  readonly expectedDlq?: Iterable<string>;
  /** Quiet time that ends a read (see readTopic). */
  readonly idleMs?: number;
}

/**
 * Reads the output topic (read_committed under exactly-once, so aborted transactions do not
 * count) and the dead-letter topic, then compares them with what the inputs should produce.
 */
export async function verifyOutputs(v: OutputVerification): Promise<DeliveryReport & { readonly observedIds: readonly string[]; readonly dlqPositions: ReadonlyMap<string, string[]> }> {
  const isolation = v.guarantee === 'exactly_once' ? 'read_committed' : 'read_uncommitted';
  const observed: string[] = [];
  await readTopic(v.kafka, v.outputTopic, { isolation, idleMs: v.idleMs, onRecord: (r) => observed.push(v.outputIdentity(r)) });
  const observedDlq: string[] = [];
  // Where each dead letter sits and which input it names, to explain a duplicate.
  const dlqPositions = new Map<string, string[]>();
  if (v.dlqTopic) {
    const name = v.dlqIdentity ?? ((r: ReadRecord) => `${r.partition}/${r.offset}`);
    await readTopic(v.kafka, v.dlqTopic, {
      isolation, idleMs: v.idleMs, onRecord: (r) => {
        const id = name(r);
        observedDlq.push(id);
        const header = (h: string) => r.headers[h]?.toString() ?? '?';
        const at = `dlq@${r.offset} from ${header('tributary.source.partition')}@${header('tributary.source.offset')} (${header('tributary.error.stage')})`;
        dlqPositions.set(id, [...(dlqPositions.get(id) ?? []), at]);
      },
    });
  }
  return { ...verifyDelivery({ guarantee: v.guarantee, expected: v.expectedOutputs, observed, expectedDlq: v.expectedDlq ?? [], observedDlq }), observedIds: observed, dlqPositions };
}
