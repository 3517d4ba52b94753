import type { OperatorSpec, ResolvedOptions } from '../operators/operator-spec';
import type { SubjectNameStrategy } from '../schemas/subject-name';

/** How a key or value is (de)serialized; owned by schemas/, which builds serdes from it. */
export type { SerdeConfig } from '../schemas/serde-config';
import type { SerdeConfig } from '../schemas/serde-config';

/** Where a source's event time comes from. */
export type TimestampConfig =
  | { readonly kind: 'record' }
  | { readonly kind: 'field'; readonly field: string }
  | { readonly kind: 'expression'; readonly expression: string };

export interface CompiledSource {
  readonly name: string;
  readonly topic: string;
  readonly key: SerdeConfig;
  readonly value: SerdeConfig;
  readonly timestamp: TimestampConfig;
  readonly offsetReset: 'earliest' | 'latest';
  /** What happens to a record that does not deserialize; absent means `dead-letter`. */
  readonly onError?: ErrorPolicy;
  /** Subject strategy of its Avro key/value without an explicit subject (the file's own or the registry-wide one); absent means `topic`. */
  readonly subjectNameStrategy?: SubjectNameStrategy;
}

export interface CompiledSink {
  readonly name: string;
  readonly topic: string;
  readonly key: SerdeConfig;
  readonly value: SerdeConfig;
  readonly partitions?: number;
  /** Kafka topic configs given when the application creates the topic (`topicConfig:`). */
  readonly topicConfig?: Readonly<Record<string, string>>;
  /** CEL expression that computes the key written to Kafka (the executor applies it). */
  readonly keyExpression?: string;
  /** Codec of the record batches produced to the topic (the sink's own, else `processing.compression`); absent when the file sets neither. */
  readonly compression?: CompressionCodec;
  /** As {@link CompiledSource.subjectNameStrategy}. */
  readonly subjectNameStrategy?: SubjectNameStrategy;
  /** Only each key's newest record of a commit interval is written, at the commit (for a topic read as a table). */
  readonly latestPerKey?: boolean;
}

/**
 * Codecs for produced record batches: Kafka's five. kafkajs has gzip built in;
 * the Kafka client adapter brings snappy, lz4 and zstd (kafkajs-codecs.ts).
 */
export const compressionCodecs = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;

/** A codec from {@link compressionCodecs}. */
export type CompressionCodec = typeof compressionCodecs[number];

export interface CompiledStore {
  readonly name: string;
  readonly changelog: boolean;
  /** `<app>-<store>-changelog` (only meaningful when changelog is true). */
  readonly changelogTopic: string;
  /** The task's write-back cache: values copied as bytes (the default) or kept as objects until the commit. */
  readonly cache: 'bytes' | 'objects';
  /** How values are written to RocksDB and the changelog (both are read). */
  readonly format: 'json' | 'structured-clone';
  /**
   * A global store: filled from every partition of this source's topic in every
   * process, read-only to steps, never changelogged (`changelog` is false) and
   * in no sub-topology's `stores` (tasks share the process's one copy).
   */
  readonly global?: { readonly source: string; readonly topic: string };
}

/** Error policy of a step for a record its operator fails on. */
export type ErrorPolicy = 'dead-letter' | 'skip' | 'fail';

/** A node of the compiled graph. `successors` are node ids, in a stable order. */
export type GraphNode =
  | { readonly kind: 'source'; readonly id: string; readonly source: string; readonly topic: string; readonly successors: readonly string[] }
  | { readonly kind: 'repartition-source'; readonly id: string; readonly topic: string; readonly successors: readonly string[] }
  | ProcessorNode
  | { readonly kind: 'sink'; readonly id: string; readonly sink: string; readonly topic: string; readonly successors: readonly string[] }
  | { readonly kind: 'repartition-sink'; readonly id: string; readonly topic: string; readonly successors: readonly string[] };

/** One step of a pipeline, with its operator resolved and its options checked. */
export interface ProcessorNode {
  readonly kind: 'processor';
  /** The step id. */
  readonly id: string;
  readonly pipeline: string;
  /** The operator name as written (a built-in name or a module path). */
  readonly operator: string;
  readonly spec: OperatorSpec;
  readonly options: ResolvedOptions;
  readonly onError: ErrorPolicy;
  /** Stores the step's options name. */
  readonly stores: readonly string[];
  readonly successors: readonly string[];
  /** Side-output targets (a sink or pipeline name) → the node ids they lead to. */
  readonly sideOutputs: Readonly<Record<string, readonly string[]>>;
  /** The key and value types of the records the step emits, as validate checked the steps after it. */
  readonly types: StepTypeText;
}

/** A step's output types written out (`describe`); `note` says why the value is dyn where it is. */
export interface StepTypeText {
  readonly key: string;
  readonly value: string;
  readonly note?: string;
}

/** A connected part of the graph that one task runs; parts talk through repartition topics. */
export interface SubTopology {
  readonly id: number;
  /** Node ids in a topological order (sources first). */
  readonly nodes: readonly string[];
  /** Names of the user sources it reads. */
  readonly sources: readonly string[];
  /** Every topic it reads: user source topics and internal repartition topics. */
  readonly sourceTopics: readonly string[];
  readonly stores: readonly string[];
}

/** An internal topic that re-keys records before a stateful step. */
export interface RepartitionTopic {
  /** `<app>-<stepId>-repartition`, stepId being the stateful step it feeds. */
  readonly topic: string;
  readonly forStep: string;
  readonly fromSubTopology: number;
  readonly toSubTopology: number;
  /**
   * How keys are written: as the user sources read by the same task hold them
   * (so equal keys land on equal partition numbers, Kafka Streams' rule for
   * co-partitioned topics), else JSON. Values stay in the internal format.
   */
  readonly key: SerdeConfig;
  /** The user source (read by the same task) whose key format the topic shares; absent when there is none. */
  readonly keySource?: string;
  /** Partition count from the step's `partitions:`; absent: decided at start-up (see runtime/kafka/partition-plan.ts). */
  readonly partitions?: number;
}

/** One entry of a test's `inputs`: records piped into a source, or a move of stream time. */
export type TopologyTestInput =
  | { readonly source: string; readonly records: ReadonlyArray<TestRecord> }
  | { readonly advanceStreamTime: number };

/** A `tests:` block of the file. */
export interface TopologyTestCase {
  readonly name: string;
  readonly line: number;
  readonly inputs: ReadonlyArray<TopologyTestInput>;
  /** End the input after the last entry: stream time moves to the end of time, so every open window closes and emits. */
  readonly flush: boolean;
  readonly expect: ReadonlyArray<{ sink: string; records: ReadonlyArray<TestRecord> }>;
  readonly stores: ReadonlyArray<{ store: string; key: unknown; value: unknown }>;
}

export interface TestRecord {
  readonly key?: unknown;
  readonly value?: unknown;
  readonly timestamp?: number;
  readonly headers?: Record<string, string>;
}

/** A valid topology file turned into what the runtime, the test driver and describe use. */
export interface CompiledTopology {
  readonly file: string;
  /** The application id. */
  readonly name: string;
  readonly kafka: {
    readonly brokers: readonly string[];
    readonly clientId: string;
    readonly tls?: { enabled: boolean; ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean };
    readonly sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  };
  readonly schemaRegistry?: {
    readonly url: string;
    readonly auth?: { username: string; password: string };
    /** The file's registry-wide subject strategy (sources and sinks may override it); absent means `topic`. */
    readonly subjectNameStrategy?: SubjectNameStrategy;
    /** Register missing schemas at start-up (the TRIBUTARY_AUTO_REGISTER variable overrides it); absent means false. */
    readonly autoRegister?: boolean;
  };
  readonly processing: {
    readonly guarantee: 'at_least_once' | 'exactly_once';
    readonly commitIntervalMs: number;
    /** How often committed records of repartition topics are deleted (ms). */
    readonly repartitionPurgeIntervalMs: number;
    /** Event-time alignment: how far one task's input may run ahead of another task's slowest input (ms). */
    readonly maxEventTimeSkewMs: number;
    /** Event-time alignment: how long an input with no fetched data holds the others back (ms). */
    readonly maxTaskIdleMs: number;
    /** Consumer group session timeout (ms). */
    readonly sessionTimeoutMs: number;
    /** Warm copies of each stateful task's stores kept by other processes (Kafka num.standby.replicas). */
    readonly standbyReplicas: number;
    /** Without groupInstanceId: derive one from the app, host and state dir (true), or join as a dynamic member (false). */
    readonly staticMembership: boolean;
    /** Static membership: this process's group.instance.id; absent for a dynamic member. */
    readonly groupInstanceId?: string;
    /** Absolute path. */
    readonly stateDir: string;
    readonly deadLetterTopic: string;
    /** The most bytes fetched from one partition at a time; absent when the file does not set it (the runtime's default applies). */
    readonly maxPartitionFetchBytes?: number;
    /** Codec of everything produced that no sink setting covers (DLQ, repartition, changelog; sinks default to it); absent when the file does not set it. */
    readonly compression?: CompressionCodec;
  };
  readonly sources: Readonly<Record<string, CompiledSource>>;
  readonly sinks: Readonly<Record<string, CompiledSink>>;
  readonly stores: Readonly<Record<string, CompiledStore>>;
  readonly nodes: Readonly<Record<string, GraphNode>>;
  readonly subTopologies: readonly SubTopology[];
  readonly repartitionTopics: readonly RepartitionTopic[];
  readonly tests: readonly TopologyTestCase[];
}
