// First: kafkajs' fixes (read_committed, produce grouping) must be in place before kafkajs loads (see the module).
import { assertKafkajsPatched } from './kafkajs-patches';
import { Kafka, logLevel, type KafkaConfig, type SASLOptions, type logCreator } from 'kafkajs';
import * as fs from 'node:fs';
import type { CompiledTopology } from '../../../../topology/compiled-topology';
import type { Logger } from '../../../../core/logger';
import { KafkaUnreachableError } from '../kafka-client';
import type {
  GroupConsumer, GroupConsumerOptions, KafkaAdmin, KafkaClient, KafkaProducer, PartitionRange, RangeBatch, RangeReadOptions, TransactionalProducer,
} from '../kafka-client';
import { KafkajsAdmin } from './kafkajs-admin';
import { KafkajsProducer, KafkajsTransactionalProducer } from './kafkajs-producers';
import { KafkajsGroupConsumer } from './kafkajs-group-consumer';
import { readRangesWithKafkajs } from './kafkajs-range-reader';
import { isRecoverableKafkajsError } from './kafkajs-errors';

/** {@link KafkaClient} on kafkajs 2.2.4 (with the fixes of kafkajs-patches.ts). */
export class KafkajsClient implements KafkaClient {
  readonly library = 'kafkajs';
  /** The kafkajs client itself, for tools and tests that need more than the seam. */
  readonly kafka: Kafka;

  private readonly connection: { established: boolean };

  /**
   * Wraps a kafkajs client made elsewhere (tools and tests with their own kafkajs settings).
   * `config`, when given, is the client's own config: the connection check makes a client
   * like it with retries bounded by its timeout (kafkajs' admin keeps its client's retries
   * for connecting, whatever retry the admin is given).
   */
  constructor(kafka: Kafka, private readonly config?: KafkaConfig, connection = { established: false }) {
    assertKafkajsPatched();
    this.kafka = kafka;
    this.connection = connection;
  }

  /** The runtime's client: the topology's brokers, TLS and SASL; kafkajs logs go to `logger`. */
  static fromConfig(config: CompiledTopology['kafka'], logger: Logger): KafkajsClient {
    // Until a first connection succeeds, failed connection attempts are checkConnection's to report.
    const connection = { established: false };
    const kafkaConfig = kafkajsConfig(config, logger, () => !connection.established);
    return new KafkajsClient(new Kafka(kafkaConfig), kafkaConfig, connection);
  }

  async checkConnection(timeoutMs: number): Promise<void> {
    const probe = this.config ? new Kafka({ ...this.config, retry: retryWithin(timeoutMs) }) : this.kafka;
    const admin = probe.admin();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        admin.connect(),
        // A broker that swallows packets makes each attempt wait for kafkajs' connectionTimeout: bound the whole.
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('no broker answered')), timeoutMs + 1000); }),
      ]);
      this.connection.established = true;
    } catch (cause) {
      const brokers = Array.isArray(this.config?.brokers) ? this.config.brokers : [];
      throw new KafkaUnreachableError(brokers, timeoutMs, cause);
    } finally {
      clearTimeout(timer);
      await admin.disconnect().catch(() => undefined);
    }
  }

  async admin(): Promise<KafkaAdmin> {
    const admin = this.kafka.admin();
    await admin.connect();
    return new KafkajsAdmin(admin);
  }

  producer(): Promise<KafkaProducer> {
    return KafkajsProducer.connect(this.kafka);
  }

  transactionalProducer(transactionalId: string, transactionTimeoutMs: number): Promise<TransactionalProducer> {
    return KafkajsTransactionalProducer.connect(this.kafka, transactionalId, transactionTimeoutMs);
  }

  groupConsumer(options: GroupConsumerOptions): GroupConsumer {
    return new KafkajsGroupConsumer(this.kafka, options);
  }

  readRanges(ranges: readonly PartitionRange[], onBatch: (batch: RangeBatch) => Promise<void>, options: RangeReadOptions): Promise<void> {
    return readRangesWithKafkajs(this.kafka, ranges, onBatch, options);
  }

  isRecoverable(error: unknown): boolean {
    return isRecoverableKafkajsError(error);
  }
}

/** kafkajs retries (250 ms doubling up to 2 s) that end within about `timeoutMs`. */
export function retryWithin(timeoutMs: number): { initialRetryTime: number; maxRetryTime: number; retries: number; factor: number } {
  let spent = 0;
  let retries = 0;
  for (let delay = 250; spent + delay <= timeoutMs; delay = Math.min(delay * 2, 2000)) {
    spent += delay;
    retries++;
  }
  return { initialRetryTime: 250, maxRetryTime: 2000, retries, factor: 0 };
}

function kafkajsConfig(config: CompiledTopology['kafka'], logger: Logger, quietConnectionErrors: () => boolean): KafkaConfig {
  const kafkaConfig: KafkaConfig = {
    clientId: config.clientId,
    brokers: [...config.brokers],
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(logger, quietConnectionErrors),
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 10_000 },
  };
  if (config.tls?.enabled) {
    kafkaConfig.ssl = {
      rejectUnauthorized: config.tls.rejectUnauthorized,
      ...(config.tls.ca ? { ca: [fs.readFileSync(config.tls.ca, 'utf8')] } : {}),
      ...(config.tls.cert ? { cert: fs.readFileSync(config.tls.cert, 'utf8') } : {}),
      ...(config.tls.key ? { key: fs.readFileSync(config.tls.key, 'utf8') } : {}),
    };
  }
  if (config.sasl) {
    kafkaConfig.sasl = { mechanism: config.sasl.mechanism, username: config.sasl.username, password: config.sasl.password } as SASLOptions;
  }
  return kafkaConfig;
}

// kafkajs logs answers it is about to retry (coordinator loading, concurrent
// transactions) at ERROR; they are expected during start-up and transactions.
const RETRIED_NOISE = /coordinator is loading|coordinator is not available|not the correct coordinator|concurrent operation on the same transaction|Failed to send messages: The producer attempted|There is no leader for this topic-partition|The group is rebalancing/;

/** Fields of a kafkajs log entry left out of ours: its time and logger name (ours has its own) and the stack. */
const DROPPED_ENTRY_FIELDS = new Set(['timestamp', 'logger', 'message', 'stack']);
/** Failing to reach a broker: the connection check reports it once, as one error naming the brokers. */
const CONNECTION_FAILURE = /^Connection error|^Failed to connect to seed broker|^Connection timeout|^\[Connection\] Connection error/;

/**
 * kafkajs log entries (`{ namespace, level, label, log: { timestamp, logger, message, ...fields } }`,
 * the fields depending on the call: broker, clientId, groupId, error, retryCount, retryTime, ...)
 * to our logger, with the entry's own fields. `quietConnectionErrors` says whether connection
 * failures are expected noise right now (before the first successful connection, the
 * connection check turns them into one error).
 */
export function kafkaLogCreator(logger: Logger, quietConnectionErrors: () => boolean = () => false): logCreator {
  return () => ({ namespace, level, log }) => {
    const { message, ...rest } = log as { message: string; [k: string]: unknown };
    const error = typeof rest.error === 'string' ? rest.error : '';
    if (RETRIED_NOISE.test(error) || RETRIED_NOISE.test(message)) return;
    // kafkajs warns whenever an idempotent producer's retries are bounded; ours
    // are bounded on purpose (a broker that stays down stops the app).
    if (message.startsWith('Limiting retries for the idempotent producer')) return;
    const fields: Record<string, unknown> = namespace ? { namespace } : {};
    for (const [k, v] of Object.entries(rest)) if (!DROPPED_ENTRY_FIELDS.has(k) && v !== undefined && v !== '') fields[k] = v;
    if (CONNECTION_FAILURE.test(message) && quietConnectionErrors()) logger.debug(`kafka: ${message}`, fields);
    else if (level === logLevel.ERROR) logger.error(`kafka: ${message}`, fields);
    else if (level === logLevel.WARN) logger.warn(`kafka: ${message}`, fields);
    else if (level === logLevel.INFO) logger.info(`kafka: ${message}`, fields);
    else logger.debug(`kafka: ${message}`, fields);
  };
}
