import type { CompiledTopology } from '../../topology/compiled-topology';
import type { Logger } from '../../core/logger';
import type { KafkaClient } from './client/kafka-client';
import { KafkajsClient } from './client/kafkajs/kafkajs-client';

/**
 * The one place that picks the client library behind the Kafka seam
 * (client/kafka-client.ts). Everything the runtime does with Kafka goes
 * through the returned {@link KafkaClient}.
 */
export function connectKafka(config: CompiledTopology['kafka'], logger: Logger): KafkaClient {
  return KafkajsClient.fromConfig(config, logger);
}
