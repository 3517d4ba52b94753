import { context, SpanKind, type Span } from '@opentelemetry/api';
import type { CompiledTopology, CompressionCodec } from '../../topology/compiled-topology';
import { attributeNames as A, markSpanFailed, operation, stageTracer, type ClientOperation, type TopicRole, type TributaryMetrics } from '../telemetry';
import type {
  GroupConsumer, GroupConsumerOptions, KafkaAdmin, KafkaClient, KafkaProducer, KafkaTransaction, PartitionRange,
  RangeBatch, RangeReadOptions, SendResult, TopicMessages, TopicPartitionOffset, TransactionalProducer,
} from './client/kafka-client';

/** What {@link instrumentClient} reports to. */
export interface ClientInstrumentation {
  readonly metrics: TributaryMetrics;
  /** What each produced topic is to the application (sink, internal, dlq). */
  readonly roleOf: (topic: string) => TopicRole;
}

/**
 * The Kafka client seam with the OpenTelemetry messaging conventions' client side on it:
 * every produce request counts `messaging.client.sent.messages` per topic and records
 * `messaging.client.operation.duration` (send); offset commits and transaction commits
 * record their durations (commit, commit_transaction). Inside a traced batch (stage spans
 * on, see stage-span.ts) each produce request also makes one `send <topic>` producer span
 * per topic it writes, spanning the request, as the kafkajs instrumentation does for a
 * batch send; commits make `commit <topic>` client spans. Work outside a batch (timers,
 * the alignment exchange) is measured but makes no spans.
 */
export function instrumentClient(client: KafkaClient, instrumentation: ClientInstrumentation): KafkaClient {
  const measured = new Measured(instrumentation);
  return {
    get library() { return client.library; },
    checkConnection: (timeoutMs: number) => client.checkConnection(timeoutMs),
    admin: (): Promise<KafkaAdmin> => client.admin(),
    producer: async (): Promise<KafkaProducer> => measured.producer(await client.producer()),
    transactionalProducer: async (id: string, timeoutMs: number): Promise<TransactionalProducer> => {
      const producer = await client.transactionalProducer(id, timeoutMs);
      return { begin: async () => measured.transaction(await producer.begin()), close: () => producer.close() };
    },
    groupConsumer: (options: GroupConsumerOptions): GroupConsumer => measured.consumer(client.groupConsumer(options), options.groupId),
    readRanges: (ranges: readonly PartitionRange[], onBatch: (batch: RangeBatch) => Promise<void>, options: RangeReadOptions) =>
      client.readRanges(ranges, onBatch, options),
    isRecoverable: (error: unknown) => client.isRecoverable(error),
  };
}

/** `error.type` of a failure: the error's class name (low cardinality, as the conventions ask). */
export const errorType = (error: unknown): string => (error instanceof Error ? error.name : typeof error);

/** Sinks' topics are `sink`, the dead-letter topic `dlq`, every other produced topic (repartition, changelog, exchange) `internal`. */
export function topicRoles(topology: CompiledTopology): (topic: string) => TopicRole {
  const sinks = new Set(Object.values(topology.sinks).map((s) => s.topic));
  const dlq = topology.processing.deadLetterTopic;
  return (topic) => (sinks.has(topic) ? 'sink' : topic === dlq ? 'dlq' : 'internal');
}
const single = (topics: readonly string[]): string | undefined => (new Set(topics).size === 1 ? topics[0] : undefined);

class Measured {
  constructor(private readonly i: ClientInstrumentation) {}

  producer(p: KafkaProducer): KafkaProducer {
    return { send: (messages, compression) => this.send(messages, compression, p.send.bind(p)), close: () => p.close() };
  }

  transaction(t: KafkaTransaction): KafkaTransaction {
    return {
      send: (messages, compression) => this.send(messages, compression, t.send.bind(t)),
      sendOffsets: (groupId, offsets) => this.commit('commit', offsets, () => t.sendOffsets(groupId, offsets)),
      commit: () => this.commit('commit_transaction', [], () => t.commit()),
      abort: () => t.abort(),
    };
  }

  consumer(c: GroupConsumer, groupId: string): GroupConsumer {
    return {
      run: (handlers) => c.run(handlers),
      seek: (topic, partition, offset) => c.seek(topic, partition, offset),
      pause: (topic, partition) => c.pause(topic, partition),
      resume: (topic, partition) => c.resume(topic, partition),
      commitOffsets: (offsets) => this.commit('commit', offsets, () => c.commitOffsets(offsets), groupId),
      stop: () => c.stop(),
      close: () => c.close(),
    };
  }

  private async send(
    messages: readonly TopicMessages[],
    compression: CompressionCodec,
    send: (m: readonly TopicMessages[], c: CompressionCodec) => Promise<SendResult[]>,
  ): Promise<SendResult[]> {
    const spans = this.spans(messages.map((m) => ({
      name: `send ${m.topic}`,
      kind: SpanKind.PRODUCER,
      attributes: { ...operation('send'), [A.destination]: m.topic, [A.batchMessageCount]: m.messages.length, [A.topicRole]: this.i.roleOf(m.topic) },
    })));
    const started = process.hrtime.bigint();
    let failure: string | undefined;
    try {
      return await send(messages, compression);
    } catch (error) {
      failure = errorType(error);
      for (const s of spans) markSpanFailed(s, error);
      throw error;
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      for (const s of spans) s.end();
      for (const m of messages) {
        if (m.messages.length > 0) this.i.metrics.recordsSent(m.topic, m.messages.length, undefined, { role: this.i.roleOf(m.topic), ...(failure ? { errorType: failure } : {}) });
      }
      const topic = single(messages.map((m) => m.topic));
      this.i.metrics.operationDuration('send', seconds, { ...(topic ? { topic } : {}), ...(failure ? { errorType: failure } : {}) });
    }
  }

  private async commit(name: ClientOperation, offsets: readonly TopicPartitionOffset[], call: () => Promise<void>, groupId?: string): Promise<void> {
    const topic = single(offsets.map((o) => o.topic));
    const attributes = { ...operation(name), ...(topic ? { [A.destination]: topic } : {}), ...(groupId ? { [A.consumerGroup]: groupId } : {}) };
    const spans = this.spans([{ name: topic ? `${name} ${topic}` : name, kind: SpanKind.CLIENT, attributes }]);
    const started = process.hrtime.bigint();
    let failure: string | undefined;
    try {
      await call();
    } catch (error) {
      failure = errorType(error);
      for (const s of spans) markSpanFailed(s, error);
      throw error;
    } finally {
      for (const s of spans) s.end();
      this.i.metrics.operationDuration(name, Number(process.hrtime.bigint() - started) / 1e9, { ...(topic ? { topic } : {}), ...(failure ? { errorType: failure } : {}) });
    }
  }

  /** Spans under the active batch span, when stage spans are on there; none otherwise. */
  private spans(specs: ReadonlyArray<{ name: string; kind: SpanKind; attributes: Record<string, string | number> }>): Span[] {
    const ctx = context.active();
    const tracer = stageTracer(ctx);
    if (!tracer) return [];
    return specs.map((s) => tracer.startSpan(s.name, { kind: s.kind, attributes: { [A.messagingSystem]: 'kafka', ...s.attributes } }, ctx));
  }
}
