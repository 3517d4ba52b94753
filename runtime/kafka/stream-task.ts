import type { ConsumedMessage, ProducedMessage, SendResult, TopicMessages } from './client/kafka-client';
import type { StreamRecord } from '../../core/stream-record';
import type { Logger } from '../../core/logger';
import type { TaskStores } from '../state/task-stores';
import type { ChangelogRecord } from '../state/changelog-record';
import { nextChangelogOffsets } from '../state/next-changelog-offsets';
import { decodeBatch, type TopicDecoding } from './record-decoder';
import { encodeRecord, type TopicEncoding } from './record-encoder';
import { deadLetterMessage, type DeadLetter } from './dead-letter';
import { RecordError } from '../../core/errors';
import { canRetry } from '../../core/failure';
import type { BatchResult } from '../processing/batch-result';
import { inStageSpan } from '../telemetry/stage-span';

/** The in-process part of a task: runs one decoded batch through the sub-topology. */
export interface BatchPipeline {
  process(sourceTopic: string, records: StreamRecord[]): Promise<BatchResult>;
  /** Run timers (wall-clock punctuation) with no input. */
  punctuate?(): Promise<BatchResult>;
  close?(): Promise<void>;
}

/** How a task hands its finished batch to Kafka: plain produce + offset commit, or one transaction. */
export interface BatchCommitter {
  /**
   * Produce `messages` and commit the input offset `nextOffset` of
   * (topic, partition) so that both happen, or (exactly_once) neither does.
   * Resolves with the produce results once the broker acknowledged them.
   */
  commit(messages: TopicMessages[], input: { topic: string; partition: number; nextOffset: string } | undefined): Promise<SendResult[]>;
  close(): Promise<void>;
}

/** How much of a consumer batch a task handled (the rest is fetched again). */
export interface BatchOutcome {
  /** Leading messages of the batch that were processed and committed. */
  readonly handled: number;
  /** Event time of the last record processed, when there was one. */
  readonly lastEventTime?: number;
}

/** Counters of what one task did; read by telemetry and tests. */
export interface TaskCounters {
  recordsIn: number;
  recordsOut: number;
  deadLettered: number;
  batches: number;
}

export interface StreamTaskOptions {
  readonly id: string;
  readonly partition: number;
  readonly pipeline: BatchPipeline;
  readonly stores?: TaskStores;
  readonly decoding: ReadonlyMap<string, TopicDecoding>;
  readonly sinks: ReadonlyMap<string, TopicEncoding>;
  readonly repartition: ReadonlyMap<string, TopicEncoding>;
  readonly deadLetterTopic: string;
  readonly committer: BatchCommitter;
  /** Whether a Kafka client failure leaves the task usable (the batch is retried), from the client behind the seam. */
  readonly isRecoverableKafkaError: (error: unknown) => boolean;
  readonly logger: Logger;
  /** Told about every committed batch (telemetry). */
  readonly onCommitted?: (report: BatchReport) => void;
}

/** What one committed batch did. */
export interface BatchReport {
  readonly taskId: string;
  readonly topic: string;
  readonly partition: number;
  readonly consumed: number;
  /** Messages produced per topic (outputs, repartition, changelog, dead letters). */
  readonly produced: ReadonlyMap<string, number>;
  readonly deadLettered: number;
  readonly commitSeconds: number;
  /** Event times of the records written to sinks (end-to-end latency). */
  readonly outputEventTimes: ReadonlyArray<{ readonly topic: string; readonly eventTime: number }>;
}

/*
 * Lifecycle:
 *
 *   running ──close()──▶ closed
 *      │
 *      └── a batch failed fatally ──▶ failed ──close()──▶ closed
 */
type TaskState = 'running' | 'failed' | 'closed';

/**
 * One task: a partition (of every co-partitioned source topic of a
 * sub-topology) with its own pipeline instance, stores and committer.
 * Batches of the same task run one at a time, in arrival order.
 *
 * A batch: decode → pipeline (async steps drained) → encode outputs →
 * flush stores → produce outputs, changelog and dead letters → commit the
 * input offset → checkpoint. Offsets are committed only after every record
 * of the batch is handled and the broker acknowledged its outputs.
 */
export class StreamTask {
  readonly counters: TaskCounters = { recordsIn: 0, recordsOut: 0, deadLettered: 0, batches: 0 };
  private state: TaskState = 'running';
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: StreamTaskOptions) {}

  get id(): string {
    return this.options.id;
  }

  get partition(): number {
    return this.options.partition;
  }

  /**
   * Process a consumer batch; resolves, once its offset is committed, with
   * how many of its messages were handled. `admit` (event-time alignment)
   * may hold back a tail: given the decoded records' event times in offset
   * order it says how many leading records go now; the rest is left for the
   * consumer to fetch again.
   */
  processBatch(topic: string, messages: readonly ConsumedMessage[], admit?: (eventTimes: number[]) => number): Promise<BatchOutcome> {
    const run = this.queue.then(() => this.runBatch(topic, messages, admit));
    this.queue = run.then(() => undefined, () => undefined);
    return run;
  }

  /** Run the pipeline's timers and commit what they produced (no input offset moves). */
  punctuate(): Promise<void> {
    const pipeline = this.options.pipeline;
    if (!pipeline.punctuate) return Promise.resolve();
    const run = this.queue.then(async () => {
      if (this.state !== 'running') return;
      await this.complete(await pipeline.punctuate!(), undefined, [], []);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async runBatch(topic: string, messages: readonly ConsumedMessage[], admit?: (eventTimes: number[]) => number): Promise<BatchOutcome> {
    if (this.state !== 'running') throw new TaskClosedError(this.id, this.state);
    if (messages.length === 0) return { handled: 0 };
    const decoding = this.options.decoding.get(topic);
    if (!decoding) throw new TaskClosedError(this.id, `no decoding for topic ${topic}`);
    const decoded = await inStageSpan('deserialize', async (span) => {
      const batch = await decodeBatch(decoding, this.partition, messages);
      span?.setAttributes({ 'tributary.records.in': messages.length, 'tributary.records.out': batch.records.length, 'tributary.records.poison': batch.poison.length });
      return batch;
    }, { 'messaging.destination.name': topic });
    let { records, poison } = decoded;
    let handled = messages;
    const admitted = admit ? admit(records.map((r) => r.timestamp)) : records.length;
    if (admitted < records.length) {
      // Cut before the first held record: its offset and everything after it is fetched again.
      const cut = BigInt(records[admitted].source!.offset);
      handled = messages.filter((m) => BigInt(m.offset) < cut);
      records = records.slice(0, admitted);
      poison = poison.filter((p) => BigInt(p.offset) < cut);
      if (handled.length === 0) return { handled: 0 };
    }
    const result = await this.options.pipeline.process(topic, records);
    await this.complete(result, { topic, messages: handled }, poison, handled);
    return { handled: handled.length, lastEventTime: records.length > 0 ? records[records.length - 1].timestamp : undefined };
  }

  /**
   * Encode what the pipeline produced, flush the stores, produce everything
   * and commit (with the input offset when there was input), then checkpoint.
   */
  private async complete(
    result: BatchResult,
    input: { topic: string; messages: readonly ConsumedMessage[] } | undefined,
    poison: readonly DeadLetter[],
    messages: readonly ConsumedMessage[],
  ): Promise<void> {
    try {
      const produce = new Map<string, ProducedMessage[]>();
      const add = (t: string, m: ProducedMessage) => {
        const list = produce.get(t);
        if (list) list.push(m); else produce.set(t, [m]);
      };
      const inputTopic = input?.topic ?? '';
      const deadLetters: DeadLetter[] = [...poison];
      for (const failure of result.failures) deadLetters.push(this.stepFailure(failure.stepId, failure.record, failure.error, messages, inputTopic));
      await inStageSpan('serialize', (span) => {
        for (const output of result.outputs) {
          const encoding = this.options.sinks.get(output.sink);
          if (!encoding) throw new TaskClosedError(this.id, `unknown sink ${output.sink}`);
          try {
            add(encoding.topic, encodeRecord(encoding, output.record));
          } catch (error) {
            deadLetters.push({ ...this.stepFailure(`sink:${output.sink}`, output.record, error, messages, inputTopic), stage: 'serialize' });
          }
        }
        for (const r of result.repartition) {
          const encoding = this.options.repartition.get(r.topic);
          if (!encoding) throw new TaskClosedError(this.id, `unknown repartition topic ${r.topic}`);
          try {
            add(encoding.topic, encodeRecord(encoding, r.record));
          } catch (error) {
            // A key the co-partitioned key format cannot hold (an object for an Avro string key) is a bad record, not a stop.
            deadLetters.push({ ...this.stepFailure(`repartition:${r.topic}`, r.record, error, messages, inputTopic), stage: 'serialize' });
          }
        }
        span?.setAttributes({ 'tributary.records.out': result.outputs.length, 'tributary.records.repartitioned': result.repartition.length });
      });
      for (const d of deadLetters) add(this.options.deadLetterTopic, deadLetterMessage(d));
      const stores = this.options.stores;
      const changelog: ChangelogRecord[] = stores
        ? await inStageSpan('store flush', async (span) => {
          const flushed = await stores.flush();
          span?.setAttribute('tributary.changelog.records', flushed.length);
          return flushed;
        })
        : [];
      for (const c of changelog) add(c.topic, { key: c.key, value: c.value, partition: c.partition });
      if (!input && produce.size === 0) {
        // Nothing to commit in Kafka: writes of stores without a changelog still go down to RocksDB.
        await stores?.commitApplied([]);
        return;
      }

      const commitStarted = process.hrtime.bigint();
      const last = input ? input.messages[input.messages.length - 1].offset : undefined;
      await inStageSpan('commit', async (span) => {
        span?.setAttributes({
          'messaging.batch.message_count': [...produce.values()].reduce((n, m) => n + m.length, 0),
          'tributary.dlq.records': deadLetters.length,
          'tributary.changelog.records': changelog.length,
        });
        const sent = await this.options.committer.commit(
          [...produce].map(([t, m]) => ({ topic: t, messages: m })),
          input && last !== undefined ? { topic: input.topic, partition: this.partition, nextOffset: (BigInt(last) + 1n).toString() } : undefined,
        );
        // RocksDB is written only now that the commit succeeded (see TaskStores).
        if (stores) await stores.commitApplied(changelog.length > 0 ? nextChangelogOffsets(changelog, sent) : []);
      });
      this.options.onCommitted?.({
        taskId: this.id,
        topic: inputTopic,
        partition: this.partition,
        consumed: messages.length,
        produced: new Map([...produce].map(([t, m]) => [t, m.length])),
        deadLettered: deadLetters.length,
        commitSeconds: Number(process.hrtime.bigint() - commitStarted) / 1e9,
        outputEventTimes: result.outputs.map((o) => ({ topic: this.options.sinks.get(o.sink)!.topic, eventTime: o.record.timestamp })),
      });
      this.counters.batches++;
      this.counters.recordsIn += messages.length;
      this.counters.recordsOut += result.outputs.length;
      this.counters.deadLettered += deadLetters.length;
      if (deadLetters.length > 0) {
        this.options.logger.warn('records sent to the dead-letter topic', { task: this.id, count: deadLetters.length, topic: this.options.deadLetterTopic, first: deadLetters[0].error });
      }
    } catch (error) {
      if (!canRetry(error, this.options.isRecoverableKafkaError)) this.state = 'failed';
      throw error;
    }
  }

  /** A dead-letter entry for a record a step failed on, with the input bytes it came from. */
  private stepFailure(stepId: string, record: StreamRecord, error: unknown, messages: readonly ConsumedMessage[], topic: string): DeadLetter {
    const origin = record.source;
    const message = origin ? messages.find((m) => m.offset === origin.offset) : undefined;
    return {
      stage: 'step',
      error,
      stepId,
      topic: origin?.topic ?? topic,
      partition: origin?.partition ?? this.partition,
      offset: origin?.offset ?? '-1',
      key: message?.key ?? null,
      value: message?.value ?? null,
      headers: message?.headers,
    };
  }

  /**
   * Flush nothing more (every batch committed), close the pipeline, stores and
   * committer; `wipe` also deletes the task's local state (restored on reopen).
   */
  async close(wipe = false): Promise<void> {
    if (this.state === 'closed') return;
    await this.queue;
    this.state = 'closed';
    await this.options.pipeline.close?.();
    if (wipe) await this.options.stores?.wipe();
    else await this.options.stores?.close();
    await this.options.committer.close();
  }
}

/** A batch reached a task that can no longer process. */
export class TaskClosedError extends RecordError {
  constructor(taskId: string, why: string) {
    super(`task ${taskId} cannot process: ${why}`, {});
  }
}
