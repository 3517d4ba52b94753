// First: kafkajs' fixes (read_committed, produce grouping) must be in place before kafkajs loads (see the module).
import './kafkajs-patches';
import { Kafka, logLevel, type KafkaConfig, type SASLOptions, type logCreator } from 'kafkajs';
import * as fs from 'node:fs';
import type { CompiledTopology } from '../../topology/compiled-topology';
import type { Logger } from '../logger';

/**
 * The Kafka client seam: everything Tributary does with Kafka goes through a
 * kafkajs `Kafka` made here (consumer, producer, admin, transactions), so a
 * different client can be measured behind the same few call sites.
 */
export function connectKafka(config: CompiledTopology['kafka'], logger: Logger): Kafka {
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
  return new Kafka(kafkaConfig);
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
