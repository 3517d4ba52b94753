import { CompressionTypes, Partitioners, type Kafka, type Producer, type RecordMetadata, type Transaction } from 'kafkajs';
import type { CompressionCodec } from '../../../../topology/compiled-topology';
import type { KafkaProducer, KafkaTransaction, SendResult, TopicMessages, TopicPartitionOffset, TransactionalProducer } from '../kafka-client';

const codecs: Record<CompressionCodec, CompressionTypes> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  // kafkajs-patches puts the codecs of these three into kafkajs' table (kafkajs-codecs.ts).
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

// DefaultPartitioner is murmur2 over the key bytes, as Java clients and Kafka Streams place records.
const partitioner = Partitioners.DefaultPartitioner;

function sendResults(metadata: RecordMetadata[]): SendResult[] {
  return metadata.map((m) => ({ topic: m.topicName, partition: m.partition, baseOffset: m.baseOffset }));
}

/** The idempotent producer (acks=all) an at_least_once app shares between its tasks. */
export class KafkajsProducer implements KafkaProducer {
  private constructor(private readonly producer: Producer) {}

  static async connect(kafka: Kafka): Promise<KafkajsProducer> {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5, createPartitioner: partitioner });
    await producer.connect();
    return new KafkajsProducer(producer);
  }

  async send(topicMessages: readonly TopicMessages[], compression: CompressionCodec): Promise<SendResult[]> {
    return sendResults(await this.producer.sendBatch({ topicMessages: [...topicMessages], acks: -1, compression: codecs[compression] }));
  }

  close(): Promise<void> {
    return this.producer.disconnect();
  }
}

/**
 * A producer with a transactional id. kafkajs has no KIP-447 group-metadata
 * fencing (its TxnOffsetCommit stops at v1): fencing comes from the id alone.
 */
export class KafkajsTransactionalProducer implements TransactionalProducer {
  private constructor(private readonly producer: Producer) {}

  static async connect(kafka: Kafka, transactionalId: string, transactionTimeoutMs: number): Promise<KafkajsTransactionalProducer> {
    const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, transactionTimeout: transactionTimeoutMs, createPartitioner: partitioner });
    // connect() runs initTransactions: fences the id's earlier producer and aborts its open transaction.
    await producer.connect();
    return new KafkajsTransactionalProducer(producer);
  }

  async begin(): Promise<KafkaTransaction> {
    return new KafkajsTransaction(await this.producer.transaction());
  }

  close(): Promise<void> {
    return this.producer.disconnect();
  }
}

class KafkajsTransaction implements KafkaTransaction {
  constructor(private readonly transaction: Transaction) {}

  async send(topicMessages: readonly TopicMessages[], compression: CompressionCodec): Promise<SendResult[]> {
    return sendResults(await this.transaction.sendBatch({ topicMessages: [...topicMessages], acks: -1, compression: codecs[compression] }));
  }

  async sendOffsets(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    const byTopic = new Map<string, Array<{ partition: number; offset: string }>>();
    for (const o of offsets) {
      const list = byTopic.get(o.topic);
      if (list) list.push({ partition: o.partition, offset: o.offset }); else byTopic.set(o.topic, [{ partition: o.partition, offset: o.offset }]);
    }
    await this.transaction.sendOffsets({ consumerGroupId: groupId, topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })) });
  }

  commit(): Promise<void> {
    return this.transaction.commit();
  }

  abort(): Promise<void> {
    return this.transaction.abort();
  }
}
