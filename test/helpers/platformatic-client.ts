import { Admin, Consumer, Producer, compatibilityPartitioner, type Message, type MessagesStream } from '@platformatic/kafka';
import type {
  ConsumedMessage, GroupConsumer, GroupConsumerHandlers, GroupConsumerOptions, GroupDescription, KafkaAdmin, KafkaClient, KafkaProducer, NewTopic,
  PartitionOffsets, SendResult, TopicMessages, TopicPartitionOffset, TransactionalProducer,
} from '../../runtime/kafka/client/kafka-client';
import type { CompressionCodec } from '../../topology/compiled-topology';

/*
 * A MEASUREMENT adapter of the Kafka client seam on @platformatic/kafka 1.35.0, for
 * bench/kafka-client-runtime.ts only: it runs an at_least_once topology without
 * stores, which is what the runtime-overhead workload is. It is not a runtime option,
 * because the library lacks what the rest of the seam needs (see the README's
 * "Kafka client" section):
 *   - no per-partition pause or seek: the whole stream pauses while a fetch's batches
 *     run, and a failed batch cannot be fetched again (the adapter stops instead);
 *   - no manual assignment, so no range reads for changelog restore;
 *   - transactions only one partition offset per request, and concurrent calls of one
 *     kind share a request (silently dropping partitions or offsets);
 *   - its read_committed filter keeps one aborted transaction per producer and
 *     response, and lets aborted records through when the abort marker is cut off.
 */

const NOT_IN_BENCH_ADAPTER = (what: string) => new Error(`${what} is not supported by the @platformatic/kafka measurement adapter (at_least_once, no stores)`);

export class PlatformaticClient implements KafkaClient {
  readonly library = '@platformatic/kafka';

  constructor(private readonly brokers: readonly string[], private readonly clientId = 'tributary-platformatic') {}

  async checkConnection(): Promise<void> {
    const admin = await this.admin();
    await admin.listTopics().finally(() => admin.close());
  }

  async admin(): Promise<KafkaAdmin> {
    return new PlatformaticAdmin(new Admin({ clientId: this.clientId, bootstrapBrokers: [...this.brokers] }));
  }

  async producer(): Promise<KafkaProducer> {
    // Idempotent forces acks=all and one request in flight; the partitioner is Java's murmur2 (the default one is not).
    return new PlatformaticProducer(new Producer({ clientId: this.clientId, bootstrapBrokers: [...this.brokers], idempotent: true, acks: -1, partitioner: compatibilityPartitioner }));
  }

  transactionalProducer(): Promise<TransactionalProducer> {
    return Promise.reject(NOT_IN_BENCH_ADAPTER('exactly_once (transactions)'));
  }

  groupConsumer(options: GroupConsumerOptions): GroupConsumer {
    return new PlatformaticGroupConsumer(this.brokers, this.clientId, options);
  }

  readRanges(): Promise<void> {
    return Promise.reject(NOT_IN_BENCH_ADAPTER('changelog restore (range reads)'));
  }

  isRecoverable(error: unknown): boolean {
    const e = error as { findBy?: (property: string, value: unknown) => unknown };
    return typeof e?.findBy === 'function' && (Boolean(e.findBy('needsRejoin', true)) || Boolean(e.findBy('canRetry', true)));
  }
}

class PlatformaticAdmin implements KafkaAdmin {
  constructor(private readonly admin: Admin) {}

  listTopics(): Promise<string[]> {
    return this.admin.listTopics();
  }

  async createTopics(topics: readonly NewTopic[]): Promise<void> {
    // One call per topic: the library applies one partition count and config set to every topic of a call.
    for (const t of topics) {
      await this.admin.createTopics({ topics: [t.topic], partitions: t.partitions, replicas: t.replicationFactor, configs: Object.entries(t.config).map(([name, value]) => ({ name, value })) });
    }
    // The seam promises topics with leaders on return; the library answers when the controller
    // accepted them, before the broker's metadata lists them (a listTopics right after missed one).
    const deadline = Date.now() + 30_000;
    for (;;) {
      const metadata = await this.admin.metadata({ topics: topics.map((t) => t.topic), forceUpdate: true }).catch(() => undefined);
      const ready = metadata !== undefined && topics.every((t) => {
        const m = metadata.topics.get(t.topic);
        return m !== undefined && m.partitionsCount === t.partitions && m.partitions.every((p) => p.leader >= 0);
      });
      if (ready) return;
      if (Date.now() > deadline) throw new Error(`topics ${topics.map((t) => t.topic).join(', ')} have no leader for every partition 30 s after their creation`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async partitionCounts(topics: readonly string[]): Promise<Map<string, number>> {
    const metadata = await this.admin.metadata({ topics: [...topics], forceUpdate: true });
    return new Map(topics.map((t) => [t, metadata.topics.get(t)!.partitionsCount]));
  }

  topicOffsets(): Promise<PartitionOffsets[]> {
    return Promise.reject(NOT_IN_BENCH_ADAPTER('topic offsets'));
  }

  groupOffsets(): Promise<TopicPartitionOffset[]> {
    return Promise.reject(NOT_IN_BENCH_ADAPTER('group offsets'));
  }

  describeGroup(): Promise<GroupDescription> {
    return Promise.reject(NOT_IN_BENCH_ADAPTER('describe group'));
  }

  deleteTopics(): Promise<void> {
    return Promise.reject(NOT_IN_BENCH_ADAPTER('delete topics'));
  }

  offsetsForTimestamp(): Promise<Array<{ partition: number; offset: string }>> {
    return Promise.reject(NOT_IN_BENCH_ADAPTER('offsets for a timestamp'));
  }

  setGroupOffsets(): Promise<void> {
    return Promise.reject(NOT_IN_BENCH_ADAPTER('set group offsets'));
  }

  deleteRecordsBefore(): Promise<void> {
    return Promise.reject(NOT_IN_BENCH_ADAPTER('delete records'));
  }

  timeRetentionMs(): Promise<Map<string, number>> {
    return Promise.reject(NOT_IN_BENCH_ADAPTER('describe topic configs'));
  }

  close(): Promise<void> {
    return this.admin.close();
  }
}

class PlatformaticProducer implements KafkaProducer {
  // Sends go one after another: the library reads sequence numbers when it builds a request and moves them on the answer.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly producer: Producer) {}

  send(topicMessages: readonly TopicMessages[], compression: CompressionCodec): Promise<SendResult[]> {
    const run = this.queue.then(async () => {
      const messages = topicMessages.flatMap(({ topic, messages: list }) => list.map((m) => ({
        topic,
        key: m.key === null || m.key === undefined ? undefined : Buffer.from(m.key),
        value: m.value === null ? undefined : Buffer.from(m.value),
        partition: m.partition,
        timestamp: m.timestamp === undefined ? undefined : BigInt(m.timestamp),
        headers: headerMap(m.headers),
      })));
      const result = await this.producer.send({ messages, compression });
      return (result.offsets ?? []).map((o) => ({ topic: o.topic, partition: o.partition, baseOffset: String(o.offset) }));
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}

function headerMap(headers: TopicMessages['messages'][number]['headers']): Map<Buffer, Buffer> | undefined {
  if (!headers) return undefined;
  const out = new Map<Buffer, Buffer>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    // A Map cannot repeat a name: a repeated header keeps its last value.
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    out.set(Buffer.from(name), Buffer.from(last));
  }
  return out;
}

function consumed(m: Message): ConsumedMessage {
  const headers: Record<string, Buffer> = {};
  for (const [name, value] of m.headers) headers[name.toString()] = value;
  return { offset: m.offset.toString(), key: m.key ?? null, value: m.value ?? null, timestamp: m.timestamp.toString(), headers };
}

/**
 * The messages one fetch delivers (one event-loop turn of the stream) are split per
 * partition, and those batches run concurrently while the stream is paused: the
 * library has no per-partition pause, so every partition waits for the slowest.
 */
class PlatformaticGroupConsumer implements GroupConsumer {
  private readonly consumer: Consumer;
  private stream?: MessagesStream<Buffer, Buffer, Buffer, Buffer>;
  private running = false;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(brokers: readonly string[], clientId: string, private readonly options: GroupConsumerOptions) {
    // The library assigns partitions without knowing Tributary's tasks: a join's partition p of
    // two topics could go to two members. Only sub-topologies with one input topic are safe.
    const coPartitioned = (options.coPartitionGroups ?? []).find((topics) => topics.length > 1);
    if (coPartitioned) throw NOT_IN_BENCH_ADAPTER(`a sub-topology reading several topics (${coPartitioned.join(', ')}: no task-aware assignor)`);
    this.consumer = new Consumer({
      clientId,
      bootstrapBrokers: [...brokers],
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs,
      rebalanceTimeout: options.rebalanceTimeoutMs,
      heartbeatInterval: options.heartbeatIntervalMs,
      maxBytesPerPartition: options.maxBytesPerPartition,
      autocommit: false,
    });
  }

  async run(handlers: GroupConsumerHandlers): Promise<void> {
    const resets = new Set(this.options.topics.map((t) => t.fromBeginning));
    if (resets.size > 1) throw NOT_IN_BENCH_ADAPTER('a different offset reset per topic');
    this.consumer.on('consumer:group:join', (payload) => {
      handlers.onAssignment(Object.fromEntries((payload.assignments ?? []).map((a) => [a.topic, a.partitions])));
    });
    const stream = await this.consumer.consume({
      topics: this.options.topics.map((t) => t.topic),
      mode: 'committed',
      fallbackMode: this.options.topics[0]?.fromBeginning === false ? 'latest' : 'earliest',
      autocommit: false,
    });
    this.stream = stream;
    this.running = true;
    // A failed rejoin or fetch destroys the stream: the app must stop (a rejected batch ends here too).
    stream.on('error', (error: unknown) => handlers.onFailure(error));
    this.consumer.on('error', (error: unknown) => handlers.onFailure(error));
    let pending: Message[] = [];
    let scheduled = false;
    const flush = async (): Promise<void> => {
      const byPartition = new Map<string, Message[]>();
      for (const m of pending) {
        const k = `${m.topic}\u0000${m.partition}`;
        const list = byPartition.get(k);
        if (list) list.push(m); else byPartition.set(k, [m]);
      }
      pending = [];
      await Promise.all([...byPartition.values()].map((list) => handlers.onBatch({
        topic: list[0].topic,
        partition: list[0].partition,
        messages: list.map(consumed),
        isRunning: () => this.running,
        isStale: () => false,
        heartbeat: async () => undefined,
        markProcessed: () => undefined,
        lag: () => 0n,
      })));
    };
    stream.on('data', (m: Message) => {
      pending.push(m);
      if (scheduled) return;
      scheduled = true;
      setImmediate(() => {
        stream.pause();
        this.inFlight = flush().then(() => {
          scheduled = false;
          if (this.running) stream.resume();
        }, (error: unknown) => {
          // No per-partition seek: the batch cannot be fetched again, so the adapter stops.
          this.running = false;
          stream.destroy(error instanceof Error ? error : new Error(String(error)));
        });
      });
    });
  }

  seek(): void {
    throw NOT_IN_BENCH_ADAPTER('seek');
  }

  // No per-partition pause in the library: a task's buffered records are bounded here only by
  // the stream pausing while batches run (a bench adapter, not a production one).
  pause(): void {}

  resume(): void {}

  async commitOffsets(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    await this.consumer.commit({ offsets: offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: BigInt(o.offset), leaderEpoch: -1 })) });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stream?.pause();
    await this.inFlight.catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.stream?.close().catch(() => undefined);
    await this.consumer.close(true);
  }
}
