import type { CompiledTopology } from '../../topology/compiled-topology';
import { createRegistryClient } from '../../schemas/registry-client';
import { createSerde, type RegistrySettings } from '../../schemas/serde-factory';
import { internalSerde } from '../../schemas/serde-internal';
import { repartitionKeySerde } from './repartition-key-serde';
import type { SubjectNameStrategy } from '../../schemas/subject-name';
import { ConfigError } from '../../core/errors';
import type { SkippedMessage, TopicDecoding } from './record-decoder';
import { eventTimeReader } from '../processing/event-time';
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

/** Overrides of what the topology file says; embedding code sets them, `tributary run` does not. */
export interface CodecOptions {
  /** Subject strategy of every source and sink, over the file's settings. */
  readonly subjectStrategy?: SubjectNameStrategy;
  /**
   * Register sink/source schemas that the registry lacks. Precedence: this
   * option, then the TRIBUTARY_AUTO_REGISTER variable (1/true/yes or
   * 0/false/no), then `schemaRegistry.autoRegister` in the file, then false.
   */
  readonly autoRegister?: boolean;
  /** Told about each message a source with `onError: skip` drops (see decode-skip-reporter.ts). */
  readonly onSkip?: (skipped: SkippedMessage) => void;
}

/** The environment variable that overrides `schemaRegistry.autoRegister`. */
export const AUTO_REGISTER_ENV = 'TRIBUTARY_AUTO_REGISTER';

/**
 * Resolve every serde, checking Avro schemas against the registry now, so an
 * incompatible schema stops the app at start-up with the subject named,
 * not at the first record.
 */
export async function buildTopicCodecs(topology: CompiledTopology, options: CodecOptions = {}): Promise<TopicCodecs> {
  const registryConfig = topology.schemaRegistry;
  const avro: RegistrySettings = {
    registry: registryConfig ? createRegistryClient({ url: registryConfig.url, basicAuth: registryConfig.auth }) : undefined,
    subjectStrategy: options.subjectStrategy ?? registryConfig?.subjectNameStrategy ?? 'topic',
    autoRegister: autoRegisterSetting(topology, options),
  };
  // Each source and sink may name its own strategy; an explicit code option wins over the file.
  const settingsFor = (own: SubjectNameStrategy | undefined): RegistrySettings =>
    ({ ...avro, subjectStrategy: options.subjectStrategy ?? own ?? avro.subjectStrategy });
  const decoding = new Map<string, TopicDecoding>();
  for (const source of Object.values(topology.sources)) {
    const settings = settingsFor(source.subjectNameStrategy);
    decoding.set(source.topic, {
      topic: source.topic,
      key: await createSerde(source.key, source.topic, true, settings),
      value: await createSerde(source.value, source.topic, false, settings),
      ...(eventTimeReader(source) ? { eventTime: eventTimeReader(source) } : {}),
      onError: source.onError ?? 'dead-letter',
      ...(options.onSkip ? { onSkip: options.onSkip } : {}),
    });
  }
  const repartition = new Map<string, TopicEncoding>();
  for (const r of topology.repartitionTopics) {
    // Sharing the co-partitioned source's serde object keeps its Avro schema id, so key bytes match the user topic's.
    const sourceKey = r.keySource ? decoding.get(topology.sources[r.keySource].topic)?.key : undefined;
    const keyFormat = sourceKey ?? await createSerde(r.key, r.topic, true, avro);
    const key = repartitionKeySerde(keyFormat, r.topic, topology.name);
    decoding.set(r.topic, { topic: r.topic, key, value: internalSerde, });
    repartition.set(r.topic, { topic: r.topic, key, value: internalSerde });
  }
  const sinks = new Map<string, TopicEncoding>();
  for (const sink of Object.values(topology.sinks)) {
    const settings = settingsFor(sink.subjectNameStrategy);
    sinks.set(sink.name, {
      topic: sink.topic,
      key: await createSerde(sink.key, sink.topic, true, settings),
      value: await createSerde(sink.value, sink.topic, false, settings),
      ...(sink.latestPerKey ? { latestPerKey: true } : {}),
    });
  }
  return { decoding, sinks, repartition };
}

/**
 * Whether missing schemas get registered: the code option, else
 * TRIBUTARY_AUTO_REGISTER when set, else `schemaRegistry.autoRegister`, else
 * false. Throws a ConfigError for a variable that is no boolean.
 */
export function autoRegisterSetting(topology: CompiledTopology, options: CodecOptions = {}, env: NodeJS.ProcessEnv = process.env): boolean {
  return options.autoRegister ?? envFlag(env, AUTO_REGISTER_ENV) ?? topology.schemaRegistry?.autoRegister ?? false;
}

/** The variable as a boolean; undefined when unset or empty, so the file's setting applies. */
function envFlag(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const raw = (env[name] ?? '').trim();
  if (raw === '') return undefined;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be 1/true/yes/on or 0/false/no/off, not '${raw}'`);
}
