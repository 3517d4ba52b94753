import type { DocSpec } from './internal/doc-spec';
import { compressionCodecs } from './compiled-topology';

const errorPolicies = ['dead-letter', 'skip', 'fail'];
const subjectStrategies = ['topic', 'record', 'topic-record'];

const subjectNameStrategy: DocSpec = {
  kind: 'string', oneOf: subjectStrategies,
  description: 'registry subject of an avro, protobuf or json-schema key/value that names no subject: topic (<topic>-key|-value), record (the record name: an Avro schema\'s <namespace>.<name>, a Protobuf message\'s full name, a JSON Schema\'s title), topic-record (<topic>-<record name>); default: schemaRegistry.subjectNameStrategy',
};

const compression: DocSpec = {
  kind: 'string', oneOf: compressionCodecs,
  description: 'codec of produced record batches: none, gzip, snappy, lz4 or zstd (sources read all of them whatever this says)',
};

const format: DocSpec = {
  kind: 'object', shorthand: 'format', description: 'how keys or values are (de)serialized; a bare string names the format',
  fields: {
    format: {
      kind: 'string', required: true, oneOf: ['avro', 'protobuf', 'json-schema', 'json', 'string', 'bytes'],
      description: 'wire format: avro, protobuf and json-schema go through the schema registry (Confluent wire format); json is plain UTF-8 JSON',
    },
    schema: {
      kind: 'string',
      description: 'path of the schema file, relative to the topology file: an Avro schema (.avsc), a .proto file (imports resolve against its folder) or a JSON Schema',
    },
    message: { kind: 'string', description: 'protobuf: full name of the message type in the .proto file (package.Message)' },
    subject: { kind: 'string', description: 'schema registry subject (default: from the subject name strategy); an avro key or value with no schema takes the latest schema of this subject' },
  },
};

/** A step: `{id, <operator>: options}` or `{id, operator, options}`; checked by the pipeline checker. */
export const stepSpec: DocSpec = {
  kind: 'object', description: 'one operator applied to every record of the pipeline',
  fields: {
    id: { kind: 'string', required: true, description: 'unique id of the step (names metrics, repartition topics, DLQ headers)' },
    '<operator>': { kind: 'object', description: "the compact form: the operator's name as the key, its options as the value" },
    operator: { kind: 'string', description: 'the long form: a built-in operator name, or ./path/to/module.js exporting `spec`' },
    options: { kind: 'object', description: "the long form: the operator's options (see `tributary docs`)" },
    onError: {
      kind: 'string', oneOf: errorPolicies, default: 'dead-letter',
      description: 'what happens to a record the operator fails on: dead-letter topic, dropped and counted, or the task stops',
    },
    description: { kind: 'string', description: 'free text shown by describe' },
    partitions: {
      kind: 'integer',
      description: 'partition count of the repartition topic in front of this step (only a stateful step behind a key change has one); default: the partition count of the user topics the same task reads, else the most partitions of the upstream inputs',
    },
  },
};

const testRecord: DocSpec = {
  kind: 'object', description: 'a record of a test',
  fields: {
    key: { kind: 'any', description: 'record key' },
    value: { kind: 'any', description: 'record value' },
    timestamp: { kind: 'number', description: 'event time (epoch ms); inputs default to the previous one' },
    headers: { kind: 'object', description: 'string headers' },
  },
};

/**
 * The spec of a topology file. The same object drives validation (with
 * positions), the language reference in `tributary docs`, and defaults.
 */
export const topologySpec: DocSpec = {
  kind: 'object', description: 'a Tributary topology',
  fields: {
    name: { kind: 'string', required: true, description: 'application id: consumer group, prefix of changelog and repartition topics' },
    description: { kind: 'string', description: 'free text' },
    kafka: {
      kind: 'object', description: 'Kafka connection',
      fields: {
        brokers: { kind: 'list', single: true, items: { kind: 'string', description: 'host:port' }, default: ['127.0.0.1:9092'], description: 'bootstrap brokers' },
        clientId: { kind: 'string', description: 'client id (default: the application name)' },
        tls: {
          kind: 'object', description: 'TLS to the brokers',
          fields: {
            enabled: { kind: 'boolean', default: true, description: 'use TLS' },
            ca: { kind: 'string', description: 'CA certificate file' },
            cert: { kind: 'string', description: 'client certificate file' },
            key: { kind: 'string', description: 'client key file' },
            rejectUnauthorized: { kind: 'boolean', default: true, description: 'verify the broker certificate' },
          },
        },
        sasl: {
          kind: 'object', description: 'SASL authentication',
          fields: {
            mechanism: { kind: 'string', required: true, oneOf: ['plain', 'scram-sha-256', 'scram-sha-512'], description: 'SASL mechanism' },
            username: { kind: 'string', required: true, description: 'user name' },
            password: { kind: 'string', required: true, description: 'password (use ${ENV_VAR})' },
          },
        },
      },
    },
    schemaRegistry: {
      kind: 'object', description: 'Confluent-compatible schema registry',
      fields: {
        url: { kind: 'string', required: true, description: 'base URL' },
        subjectNameStrategy: { ...subjectNameStrategy, default: 'topic', description: 'subject strategy of every avro, protobuf and json-schema key/value that names no subject: topic (<topic>-key|-value), record (the schema\'s record name) or topic-record (<topic>-<record name>); sources and sinks may override it' },
        autoRegister: { kind: 'boolean', default: false, description: 'register the schema files of sources and sinks whose subject lacks them (else the app stops at start-up naming the subject); TRIBUTARY_AUTO_REGISTER=1|0 overrides it' },
        auth: {
          kind: 'object', description: 'basic auth',
          fields: {
            username: { kind: 'string', required: true, description: 'user name' },
            password: { kind: 'string', required: true, description: 'password (use ${ENV_VAR})' },
          },
        },
      },
    },
    processing: {
      kind: 'object', description: 'processing guarantees and local state',
      fields: {
        guarantee: { kind: 'string', oneOf: ['at_least_once', 'exactly_once'], default: 'at_least_once', description: 'delivery guarantee' },
        commitInterval: { kind: 'duration', default: '1s', description: 'how often tasks commit' },
        repartitionPurgeInterval: { kind: 'duration', default: '30s', description: "how often each process deletes the records of repartition topics below its tasks' committed offsets (Kafka repartition.purge.interval.ms): they were read and are never read again, so the topics (kept without time limit) stay small" },
        sessionTimeout: { kind: 'duration', default: '30s', description: 'consumer group session timeout (Kafka session.timeout.ms; the broker accepts 6s to 30min by default): how long a member that stopped heartbeating (a killed process) keeps its partitions before they move; heartbeats go every sessionTimeout/10, at most every 3s' },
        staticMembership: { kind: 'boolean', default: true, description: "static group membership when no groupInstanceId is given: the process's group.instance.id is derived from the application, the host name and the state directory, so a process restarted on the same host and state directory (after a crash, within sessionTimeout) gets its partitions back without a rebalance. A process that stops cleanly leaves the group, so its partitions move at once. false: a dynamic member (a restart costs two rebalances)" },
        groupInstanceId: { kind: 'string', description: "static group membership (Kafka group.instance.id, KIP-345): a name unique to this process, kept across its restarts (e.g. ${HOSTNAME}; letters, digits, '.', '_', '-'). A process restarted within sessionTimeout gets its partitions back without a rebalance, and a stopped one does not leave the group: its partitions wait up to sessionTimeout for it. --group-instance-id overrides it" },
        standbyReplicas: { kind: 'integer', default: 0, description: "standby replicas (Kafka num.standby.replicas): how many other processes keep a warm copy of each stateful task's stores by tailing its changelogs. When the task's process dies its tasks go to a process with a copy, which restores only the changelog tail; with fewer processes than replicas + 1, each task gets as many copies as there are other processes" },
        stateDir: { kind: 'string', default: './tributary-state', description: 'directory of local state stores' },
        maxEventTimeSkew: { kind: 'duration', default: '1s', description: "event-time alignment: how far (event time) one task's input may run ahead of the slowest input of another task in the same process; a task's own inputs go in timestamp order. A windowed step behind a repartition sees up to this much extra disorder over a backlog: give its grace at least this much. Smaller is closer to one-partition order, larger makes bigger batches" },
        maxTaskIdle: { kind: 'duration', default: '1s', description: 'event-time alignment: how long an input partition with no fetched data (empty, or not yet fetched) holds back the others before it counts as idle (Kafka max.task.idle.ms)' },
        deadLetterTopic: { kind: 'string', description: 'dead-letter topic (default: <name>-dlq)' },
        maxPartitionFetchBytes: { kind: 'integer', description: 'the most bytes fetched from one partition at a time (Kafka max.partition.fetch.bytes; default 1048576, at least 1024): bounds the records a task holds in flight; small values suit expensive steps such as scoring. A repartition topic written by more tasks than it has partitions gets that many times more (docs/partitions.md, fetch budgets)' },
        compression: { ...compression, description: 'default codec of produced record batches: sinks without their own, dead letters, repartition and changelog topics (default: none)' },
      },
    },
    sources: {
      kind: 'map', required: true, description: 'Kafka topics the application reads, by name',
      values: {
        kind: 'object', description: 'a source',
        fields: {
          topic: { kind: 'string', required: true, description: 'Kafka topic' },
          key: { ...format, default: { format: 'string' } },
          value: { ...format, required: true },
          timestamp: {
            kind: 'object', description: 'where event time comes from (default: the Kafka record timestamp)',
            fields: {
              field: { kind: 'string', description: 'a dotted path in the value (e.g. meta.ts) holding epoch ms (a number or numeric string) or an ISO-8601 string' },
              expression: { kind: 'expression', description: 'a CEL expression giving epoch ms, an ISO-8601 string or a timestamp' },
            },
          },
          offsetReset: { kind: 'string', oneOf: ['earliest', 'latest'], default: 'earliest', description: 'where a new group starts' },
          onError: {
            kind: 'string', oneOf: errorPolicies, default: 'dead-letter',
            description: 'what happens to a record that does not deserialize: dead-letter topic, dropped and counted (logged without contents, rate-limited), or the app stops naming topic/partition/offset',
          },
          subjectNameStrategy,
        },
      },
    },
    stores: {
      kind: 'map', description: 'state stores, by name',
      values: {
        kind: 'object', description: 'a state store',
        fields: {
          kind: {
            kind: 'string', oneOf: ['key-value'], default: 'key-value',
            description: 'store type: key-value, the only kind (window steps keep their windows in key-value stores, one store per step)',
            rejected: {
              window: "window steps (window-tumbling, window-hopping, window-sliding, window-session) keep their windows in key-value stores; drop 'kind' or write kind: key-value (docs/decisions/0016-window-state-in-key-value-stores.md)",
            },
          },
          changelog: { kind: 'boolean', default: true, description: 'back the store with a compacted changelog topic' },
          cache: {
            kind: 'string', oneOf: ['bytes', 'objects'], default: 'bytes',
            description: "the task's write-back cache (values written once per key and commit): `bytes` copies a value at every read and write, as Kafka Streams does; `objects` keeps the values themselves, so a read returns the object the cache holds (no parse) and a value is serialized only at the commit. With `objects` a step must not change a value it read or wrote unless it puts it again (Flink's heap-state rule; see docs/language.md, \"Stores\"). Not for global stores",
          },
          format: {
            kind: 'string', oneOf: ['json', 'structured-clone'], default: 'json',
            description: "how values are written to RocksDB and the changelog: `json` (text any Kafka tool shows; values must be JSON-representable) or `structured-clone` (V8's serializer, as repartition topics use: number-heavy values are written about 1.5x as fast and 30% smaller but read more slowly, which suits `cache: objects`; Maps, Sets, typed arrays, BigInts and Dates survive; the changelog is binary). Values are read in either format, so a store may change its format without a reset. Not for global stores (their values are their source topic's)",
          },
          global: {
            kind: 'string',
            description: 'make it a global store filled from this source (a name under `sources`): every process holds all partitions of its topic, restored before tasks start and kept current while they run; key-value only, read-only to steps, needs no changelog, and no pipeline may read the source (see docs/global-stores.md)',
          },
        },
        retired: {
          retention: "a store keeps what its step keeps: window steps delete a window once stream time passes its end plus grace, dedupe, throttle and aggregate-ttl-set after their own time options; drop 'retention'",
        },
      },
    },
    pipelines: {
      kind: 'map', required: true, description: 'named chains of steps',
      values: {
        kind: 'object', description: 'a pipeline',
        fields: {
          from: { kind: 'list', single: true, items: { kind: 'string', description: 'a source or pipeline name' }, description: 'sources or pipelines it reads (several merge)' },
          steps: { kind: 'list', items: { kind: 'any', description: 'a step (see stepSpec)' }, default: [], description: 'the steps, in order' },
          to: { kind: 'list', single: true, items: { kind: 'string', description: 'a sink or pipeline name' }, description: 'sinks or pipelines its output goes to' },
        },
      },
    },
    sinks: {
      kind: 'map', description: 'Kafka topics the application writes, by name',
      values: {
        kind: 'object', description: 'a sink',
        fields: {
          topic: { kind: 'string', required: true, description: 'Kafka topic' },
          key: { ...format, default: { format: 'string' } },
          value: { ...format, required: true },
          keyExpression: { kind: 'expression', description: 'CEL expression computing the output key' },
          partitions: { kind: 'integer', description: 'partition count when the topic is created' },
          topicConfig: { kind: 'map', values: { kind: 'string', description: 'the config value' }, description: "Kafka topic configs given when the application creates the topic (an existing topic keeps its own), e.g. `retention.ms: -1`. Records keep their trigger's event time as their Kafka timestamp, and the broker deletes records older than `retention.ms` (7 days by default) by that timestamp: a topic that receives results of old events (a replay, a backlog, a generated timeline) needs a longer retention or none" },
          compression: { ...compression, description: 'codec of the record batches written to this topic (default: processing.compression)' },
          latestPerKey: { kind: 'boolean', default: false, description: "write only each key's newest record of a commit interval, at the commit (Kafka Streams' record cache): for a topic read as a table, such as a global store's source, every reader applies one record per key and interval instead of one per change. Records without a key are written at once. A held record's value is encoded when it is written, so a step must not change a record after emitting it. The test driver shows every record" },
          subjectNameStrategy,
        },
      },
    },
    tests: {
      kind: 'list', description: 'tests run by `tributary test`',
      items: {
        kind: 'object', description: 'one test',
        fields: {
          name: { kind: 'string', required: true, description: 'test name' },
          inputs: {
            kind: 'list', required: true, description: 'records piped into sources, in order, and moves of stream time between them',
            items: {
              kind: 'object', description: 'records for one source (source and records), or a move of stream time (advanceStreamTime alone)',
              fields: {
                source: { kind: 'string', description: 'source name (with records)' },
                records: { kind: 'list', items: testRecord, description: 'records (with source)' },
                advanceStreamTime: {
                  kind: 'number',
                  description: 'instead of source and records: move stream time of every step to this event time (epoch ms), so windows whose end plus grace it passes close and emit; later records older than their windows are late',
                },
              },
            },
          },
          flush: {
            kind: 'boolean', default: false,
            description: 'end the input after the last entry: stream time moves to the end of time, so every open window, session and join buffer closes and emits its final result before expect is checked',
          },
          expect: {
            kind: 'list', default: [], description: 'exact records expected at sinks',
            items: {
              kind: 'object', description: 'records expected at one sink',
              fields: {
                sink: { kind: 'sink', required: true, description: 'sink name' },
                records: { kind: 'list', required: true, items: testRecord, description: 'records (timestamp/headers checked when given)' },
              },
            },
          },
          stores: {
            kind: 'list', default: [], description: 'expected store contents after the inputs',
            items: {
              kind: 'object', description: 'one expected entry',
              fields: {
                store: { kind: 'store', required: true, description: 'store name' },
                key: { kind: 'any', required: true, description: 'key' },
                value: { kind: 'any', required: true, description: 'expected value (null: absent)' },
              },
            },
          },
        },
      },
    },
  },
};
