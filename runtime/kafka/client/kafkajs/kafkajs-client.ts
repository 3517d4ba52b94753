// First: kafkajs' fixes (read_committed, produce grouping) must be in place before kafkajs loads (see the module).
import { assertKafkajsPatched } from './kafkajs-patches';
import { Kafka, logLevel, type KafkaConfig, type SASLOptions, type logCreator } from 'kafkajs';
import * as fs from 'node:fs';
import type { CompiledTopology } from '../../../../topology/compiled-topology';
import type { Logger } from '../../../../core/logger';
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

  /** Wraps a kafkajs client made elsewhere (tools and tests with their own kafkajs settings). */
  constructor(kafka: Kafka) {
    assertKafkajsPatched();
    this.kafka = kafka;
  }

  /** The runtime's client: the topology's brokers, TLS and SASL; kafkajs logs go to `logger`. */
  static fromConfig(config: CompiledTopology['kafka'], logger: Logger): KafkajsClient {
    return new KafkajsClient(new Kafka(kafkajsConfig(config, logger)));
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

function kafkajsConfig(config: CompiledTopology['kafka'], logger: Logger): KafkaConfig {
  const kafkaConfig: KafkaConfig = {
    clientId: config.clientId,
    brokers: [...config.brokers],
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(logger),
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

function kafkaLogCreator(logger: Logger): logCreator {
  return () => ({ level, log }) => {
    const { message, ...rest } = log as { message: string; [k: string]: unknown };
    const error = typeof rest.error === 'string' ? rest.error : '';
    if (RETRIED_NOISE.test(error) || RETRIED_NOISE.test(message)) return;
    // kafkajs warns whenever an idempotent producer's retries are bounded; ours
    // are bounded on purpose (a broker that stays down stops the app).
    if (message.startsWith('Limiting retries for the idempotent producer')) return;
    const fields = { broker: rest.broker, error: rest.error || undefined };
    if (level === logLevel.ERROR) logger.error(`kafka: ${message}`, fields);
    else if (level === logLevel.WARN) logger.warn(`kafka: ${message}`, fields);
  };
}
