import * as avro from 'avsc';
import { createRegistryClient } from '../../schemas/registry-client';
import { AvroSerde } from '../../schemas/serde-avro';

/** Input and output of a hand-written map loop (bench/runtime-overhead.ts, bench/kafka-client-comparison.ts). */
export interface MapLoopWiring {
  readonly brokers: readonly string[];
  readonly registryUrl: string;
  readonly input: string;
  readonly output: string;
  /** Records to wait for in the output before the loop's rate is taken. */
  readonly records: number;
  readonly schema: avro.Schema;
}

/**
 * The per-record work every hand-written loop does, the same work as
 * bench/topologies/runtime-map.yaml: Avro decode (Confluent framing), tag the
 * item id, Avro encode through the registry (the output subject is registered once).
 */
export async function createMapWork(w: MapLoopWiring): Promise<(value: Buffer) => Buffer> {
  const registry = createRegistryClient({ url: w.registryUrl });
  const type = avro.Type.forSchema(w.schema);
  const outSerde = await AvroSerde.create({ registry, subject: `${w.output}-value`, schema: w.schema, autoRegister: true });
  return (value) => {
    const decoded = type.fromBuffer(value.subarray(5)) as Record<string, unknown>;
    return outSerde.serialize({ ...decoded, itemId: `${decoded.itemId as string}-seen` })!;
  };
}
