import type { CompiledTopology } from '../../topology/compiled-topology';
import { createRegistryClient } from '../../schemas/registry-client';
import { createSerde, type AvroSettings } from '../../schemas/serde-factory';
import { internalSerde } from '../../schemas/serde-internal';
import type { SubjectNameStrategy } from '../../schemas/subject-name';
import type { TopicDecoding } from './record-decoder';
import type { TopicEncoding } from './record-encoder';

/** The serdes of every topic an application reads or writes, built once at start-up. */
export interface TopicCodecs {
  /** By topic: user sources and internal repartition topics. */
  readonly decoding: ReadonlyMap<string, TopicDecoding>;
  /** By sink name. */
  readonly sinks: ReadonlyMap<string, TopicEncoding>;
  /** By repartition topic. */
  readonly repartition: ReadonlyMap<string, TopicEncoding>;
}

export interface CodecOptions {
  readonly subjectStrategy?: SubjectNameStrategy;
  /** Register sink/source schemas that the registry lacks (default false). */
  readonly autoRegister?: boolean;
}

/**
 * Resolve every serde, checking Avro schemas against the registry now, so an
 * incompatible schema stops the app at start-up with the subject named,
 * not at the first record.
 */
export async function buildTopicCodecs(topology: CompiledTopology, options: CodecOptions = {}): Promise<TopicCodecs> {
  const avro: AvroSettings = {
    registry: topology.schemaRegistry ? createRegistryClient({ url: topology.schemaRegistry.url, basicAuth: topology.schemaRegistry.auth }) : undefined,
    subjectStrategy: options.subjectStrategy ?? 'topic',
    autoRegister: options.autoRegister ?? envFlag('TRIBUTARY_AUTO_REGISTER'),
  };
  const decoding = new Map<string, TopicDecoding>();
  for (const source of Object.values(topology.sources)) {
    decoding.set(source.topic, {
      topic: source.topic,
      key: await createSerde(source.key, source.topic, true, avro),
      value: await createSerde(source.value, source.topic, false, avro),
      timestamp: source.timestamp,
    });
  }
  const repartition = new Map<string, TopicEncoding>();
  for (const r of topology.repartitionTopics) {
    decoding.set(r.topic, { topic: r.topic, key: internalSerde, value: internalSerde, timestamp: { kind: 'record' } });
    repartition.set(r.topic, { topic: r.topic, key: internalSerde, value: internalSerde });
  }
  const sinks = new Map<string, TopicEncoding>();
  for (const sink of Object.values(topology.sinks)) {
    sinks.set(sink.name, {
      topic: sink.topic,
      key: await createSerde(sink.key, sink.topic, true, avro),
      value: await createSerde(sink.value, sink.topic, false, avro),
    });
  }
  return { decoding, sinks, repartition };
}

function envFlag(name: string): boolean {
  return /^(1|true|yes)$/i.test(process.env[name] ?? '');
}
