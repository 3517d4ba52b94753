import type { ConsumedMessage, ProducedMessage, SendResult, TopicMessages, TopicPartitionOffset } from './client/kafka-client';
import type { StreamRecord } from '../../core/stream-record';
import type { Logger } from '../../core/logger';
import type { TaskStores } from '../state/task-stores';
import type { ChangelogRecord } from '../state/changelog-record';
import { nextChangelogOffsets } from '../state/next-changelog-offsets';
import { PartitionGroup, type TakenInput } from './partition-group';
import { decodeBatch, type TopicDecoding } from './record-decoder';
import { encodeRecord, encodeRecordFrame, type TopicEncoding } from './record-encoder';
import { deadLetterMessage, type DeadLetter } from './dead-letter';
import { RecordError } from '../../core/errors';
import { canRetry } from '../../core/failure';
import type { BatchResult } from '../processing/batch-result';
import { inStageSpan } from '../telemetry/stage-span';
import { LATEST_PER_KEY_MAX_RECORDS, LatestPerKeyBuffer, type HeldMessage } from './latest-per-key-buffer';

/** The in-process part of a task: runs one decoded batch through the sub-topology. */
export interface BatchPipeline {
  process(sourceTopic: string, records: StreamRecord[]): Promise<BatchResult>;
  /** Run timers (wall-clock punctuation) with no input. */
  punctuate?(): Promise<BatchResult>;
  close?(): Promise<void>;
}

/**
 * How a task hands its work to Kafka. A commit interval is one unit: plain produce and an
 * offset commit at its end (at_least_once), or one transaction (exactly_once).
 */
export interface BatchCommitter {
  /** Produce within the current unit; resolves once the broker acknowledged every message. */
  send(messages: TopicMessages[]): Promise<SendResult[]>;
  /** Produce the changelog records and commit the input offsets: the unit ends, all of it or (exactly_once) none. */
  commit(changelog: TopicMessages[], offsets: readonly TopicPartitionOffset[]): Promise<SendResult[]>;
  /** Give the unit up (exactly_once: abort the transaction); the app replays from the last commit. */
  abort(): Promise<void>;
  /**
   * Sends belong to the open unit (a transaction): a send of the next unit must wait until the
   * unit being committed has committed. False when units share nothing but the offsets.
   */
  readonly sendsWaitForCommit: boolean;
  close(): Promise<void>;
}

/**
 * Event-time alignment as one task sees it (the app's EventTimeAligner for the task's lanes).
 * Absent, a task processes every record as it arrives.
 */
export interface TaskAlignment {
  /** How many leading `times` from index `from` (event times of `topic`'s buffered records) may be processed now. */
  admit(topic: string, times: readonly number[], from: number): number;
  /**
   * `topic`'s records were processed up to `lastTime` (none: poison only). `nextTime`: its next
   * record, still buffered, when there is one. `delivered` settles once the outputs so far are acknowledged.
   */
  moved(topic: string, lastTime: number | undefined, nextTime: number | undefined, delivered: Promise<void>): void;
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
  /** Event-time alignment of the task's lanes; absent: every record goes at once. */
  readonly alignment?: TaskAlignment;
  /** `processing.commitInterval`: batches within it share one commit (0: every batch commits). */
  readonly commitIntervalMs: number;
  /**
   * Per input lane (`topic/partition`), the next offset this process's last commit of the lane
   * covered; shared with the app, which keeps it across task rebuilds. Messages below it were
   * committed already and are skipped (see {@link StreamTask.receive}).
   */
  readonly committedPositions: Map<string, bigint>;
  /** Whether a Kafka client failure leaves the task usable (the batch is retried), from the client behind the seam. */
  readonly isRecoverableKafkaError: (error: unknown) => boolean;
  readonly logger: Logger;
  /** Told about every processed batch (telemetry). */
  readonly onProcessed?: (report: BatchReport) => void;
  /** Told about every commit: how long it took and how many records it wrote (changelog included). */
  readonly onCommitted?: (seconds: number, records: number) => void;
  /** Told the input offsets of every successful commit (the repartition purge). */
  readonly onOffsetsCommitted?: (offsets: readonly TopicPartitionOffset[]) => void;
  /** Wall clock in ms (tests). */
  readonly now?: () => number;
}

/** What one processed batch did. */
export interface BatchReport {
  readonly taskId: string;
  readonly topic: string;
  readonly partition: number;
  readonly consumed: number;
  /** Messages produced per topic (outputs, repartition, changelog, dead letters). */
  readonly produced: ReadonlyMap<string, number>;
  readonly deadLettered: number;
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

/** Sends a task may have unacknowledged before it waits (each is a batch's outputs). */
const MAX_SENDS_IN_FLIGHT = 4;

/** A `latestPerKey` output waiting for the commit: its value unencoded, and where it came from (for a dead letter). */
interface HeldOutput extends HeldMessage {
  readonly sink: string;
  readonly encoding: TopicEncoding;
  readonly record: StreamRecord;
  readonly messages: readonly ConsumedMessage[];
  readonly inputTopic: string;
}

/** Input a task processed since its last commit, per lane. */
interface UncommittedLane {
  readonly topic: string;
  /** First offset processed since the last commit: where a replay starts. */
  readonly first: bigint;
  /** Next offset to commit. */
  next: bigint;
}

/**
 * One task: a partition (of every co-partitioned source topic of a
 * sub-topology) with its own pipeline instance, stores and committer.
 * Batches of the same task run one at a time, in arrival order.
 *
 * A batch: decode → pipeline (async steps drained) → encode → produce outputs and dead
 * letters. Every `commitInterval` (Kafka Streams' commit.interval.ms): flush stores → produce
 * the changelog → commit the input offsets → checkpoint; under exactly_once the interval's
 * batches share one transaction. Offsets are committed only after every record before them is
 * handled and the broker acknowledged its outputs. A failure before a commit replays from the
 * previous one: the app seeks the task's lanes to {@link StreamTask.replayPositions} and
 * rebuilds the task (RocksDB holds committed writes only).
 */
export class StreamTask {
  readonly counters: TaskCounters = { recordsIn: 0, recordsOut: 0, deadLettered: 0, batches: 0 };
  private state: TaskState = 'running';
  private queue: Promise<void> = Promise.resolve();
  /** Fetched input not processed yet (event-time alignment holds it), per lane. */
  private readonly group = new PartitionGroup();
  /** The drain queued and not started yet: a request meanwhile shares it. */
  private queuedDrain?: Promise<void>;
  private readonly uncommitted = new Map<string, UncommittedLane>();
  /** Something was produced or written to a store since the last commit. */
  private dirty = false;
  /** Records of `latestPerKey` sinks held until the commit, newest per key. */
  private readonly latest = new LatestPerKeyBuffer<HeldOutput>();
  /**
   * Sends of the current commit unit not yet acknowledged: the next batch is processed while the
   * broker acknowledges the last one's outputs (Kafka Streams' producer works the same way); the
   * commit waits for all of them first, so offsets still count only acknowledged work.
   */
  private readonly inFlight: Array<Promise<void>> = [];
  /**
   * The task's last send, settled or not: the next one starts only after it. Sends issued while
   * the previous one was unacknowledged overtook it when the client retried it (kafkajs retries
   * each call on its own): a word count's outputs landed 14, 18, 15, 16, 17 on the real broker,
   * so a reader of the topic kept 17. Kafka's producer keeps one partition's batches in order
   * across retries; one send at a time per task keeps each key's records in order here.
   */
  private lastSend: Promise<void> = Promise.resolve();
  /** The first send of the unit that failed: the task is given up and replayed (TaskManager.recover). */
  private sendFailure?: { error: unknown };
  /**
   * The last cut unit's commit (acknowledgements, changelog, offsets, RocksDB, checkpoint), which
   * runs while the task processes the next unit (issue 15: fetching and processing go on while a
   * commit is pending). At most one: the next cut waits for it. Never rejects; see commitFailure.
   */
  private committing?: Promise<void>;
  /** The lanes of the unit being committed, until it committed: a replay after its failure starts there. */
  private committingLanes = new Map<string, UncommittedLane>();
  /** The first commit that failed: surfaced at the next batch, commit or close, and the task replays. */
  private commitFailure?: { error: unknown };
  private lastCommitAt: number;

  constructor(private readonly options: StreamTaskOptions) {
    this.lastCommitAt = this.now();
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** The task's stores (read by interactive queries); undefined when its sub-topology has none. */
  get stores(): TaskStores | undefined {
    return this.options.stores;
  }

  get id(): string {
    return this.options.id;
  }

  get partition(): number {
    return this.options.partition;
  }

  /**
   * Takes a consumer batch of `topic` into the task's buffer and processes what event-time
   * alignment admits of everything buffered. Resolves `false` when the batch was fetched before a
   * seek or revocation (`isStale`) and was dropped. Once it resolves `true`, the batch is the
   * task's: the client may fetch on past it.
   */
  receive(topic: string, messages: readonly ConsumedMessage[], isStale: () => boolean = () => false): Promise<boolean> {
    const run = this.queue.then(async () => {
      if (isStale()) return false;
      this.throwIfCommitFailed();
      if (this.state !== 'running') throw new TaskClosedError(this.id, this.state);
      await this.buffer(topic, messages);
      await this.drainNow();
      return true;
    });
    this.queue = run.then(() => undefined, () => undefined);
    return run;
  }

  /**
   * Processes what alignment admits now of the buffered input (another lane moved on). Requests
   * made while one waits in the queue share it; a closed task does nothing.
   */
  drain(): Promise<void> {
    if (this.queuedDrain !== undefined) return this.queuedDrain;
    const drain = this.enqueue(async () => {
      this.queuedDrain = undefined;
      if (this.state !== 'running' || this.group.isEmpty) return;
      this.throwIfCommitFailed();
      await this.drainNow();
    });
    this.queuedDrain = drain;
    return drain;
  }

  /** Bytes of `topic`'s input buffered here (the app pauses the partition over its fetch bound). */
  bufferedBytes(topic: string): number {
    return this.group.bytes(topic);
  }

  /** Messages of `topic` buffered here. */
  bufferedCount(topic: string): number {
    return this.group.count(topic);
  }

  /** Whether any input waits here to be processed. */
  get hasBuffered(): boolean {
    return !this.group.isEmpty;
  }

  /** Run the pipeline's timers and commit what they produced (no input offset moves). */
  punctuate(): Promise<void> {
    const pipeline = this.options.pipeline;
    if (!pipeline.punctuate) return Promise.resolve();
    const run = this.queue.then(async () => {
      if (this.state !== 'running') return;
      await this.complete(await pipeline.punctuate!(), undefined, [], []);
      await this.commitIfDueNow();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Commit when the interval has passed and there is something to commit (the app's timer
   * calls it); throws a failed commit of an earlier unit, so that it is replayed without waiting
   * for a batch.
   */
  commitIfDue(): Promise<void> {
    return this.enqueue(async () => {
      this.throwIfCommitFailed();
      if (this.state === 'running' && this.pending() && this.now() - this.lastCommitAt >= this.options.commitIntervalMs) await this.commitNow();
    });
  }

  /**
   * Commit what is pending now and wait until it is committed (a rebalance: the client resumes
   * kept partitions from the group's offsets; a stop).
   */
  commitPending(): Promise<void> {
    return this.enqueue(async () => {
      if (this.state === 'running' && this.pending()) await this.commitNow();
      await this.commitSettled();
    });
  }

  /**
   * Where each lane's replay starts if the uncommitted work is given up: the first offset
   * processed since the last successful commit (a unit whose commit is pending or failed counts
   * as uncommitted), else the first buffered one: the client has moved past buffered records.
   */
  replayPositions(): Array<{ topic: string; partition: number; offset: string }> {
    const from = new Map<string, { topic: string; first: bigint }>(this.committingLanes);
    for (const [lane, l] of this.uncommitted) if (!from.has(lane)) from.set(lane, l);
    for (const b of this.group.firstOffsets()) {
      const lane = `${b.topic}/${this.partition}`;
      if (!from.has(lane)) from.set(lane, { topic: b.topic, first: b.offset });
    }
    return [...from.values()].map((l) => ({ topic: l.topic, partition: this.partition, offset: l.first.toString() }));
  }

  private pending(): boolean {
    return this.dirty || this.uncommitted.size > 0;
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Decodes the messages of a batch the task has not seen and buffers them. */
  private async buffer(topic: string, messages: readonly ConsumedMessage[]): Promise<void> {
    // After a rebalance the client resumes from the group's committed offset, which under
    // exactly_once can predate this task's own last transaction (kafkajs reads it without
    // KIP-447's require_stable): what the task committed itself is skipped, not applied twice;
    // what it processed or buffered since is skipped by the group.
    const committed = this.options.committedPositions.get(`${topic}/${this.partition}`);
    let fresh = committed === undefined || messages.length === 0 || BigInt(messages[0].offset) >= committed
      ? messages
      : messages.filter((m) => BigInt(m.offset) >= committed);
    fresh = this.group.unseen(topic, fresh);
    if (fresh.length === 0) return;
    const decoding = this.options.decoding.get(topic);
    if (!decoding) throw new TaskClosedError(this.id, `no decoding for topic ${topic}`);
    const decoded = await inStageSpan('deserialize', async (span) => {
      const batch = await decodeBatch(decoding, this.partition, fresh);
      span?.setAttributes({ 'tributary.records.in': fresh.length, 'tributary.records.out': batch.records.length, 'tributary.records.poison': batch.poison.length });
      return batch;
    }, { 'messaging.destination.name': topic });
    this.group.add(topic, fresh, decoded);
  }

  /**
   * Processes buffered input while alignment admits some: each round the lane whose next record
   * is oldest and may go takes what it may (Kafka Streams' PartitionGroup picks by timestamp too).
   */
  private async drainNow(): Promise<void> {
    const alignment = this.options.alignment;
    // A lane tried before another lane's head was known to alignment may go once it is: a
    // pass that admitted nothing is tried once more.
    for (let retried = false; ;) {
      let taken: TakenInput | undefined;
      for (const lane of this.group.buffered()) {
        // A lane of poison or skipped messages only has no event time to wait for.
        const left = lane.times.length - lane.from;
        const count = left === 0 ? 0 : alignment ? alignment.admit(lane.topic, lane.times, lane.from) : left;
        if (count > 0 || left === 0) {
          taken = this.group.take(lane.topic, count);
          break;
        }
      }
      if (taken === undefined) {
        if (retried) return;
        retried = true;
        continue;
      }
      const result = await this.options.pipeline.process(taken.topic, taken.records);
      await this.complete(result, { topic: taken.topic, messages: taken.messages }, taken.poison, taken.messages);
      const last = taken.records.length > 0 ? taken.records[taken.records.length - 1].timestamp : undefined;
      alignment?.moved(taken.topic, last, taken.nextTime, this.sendsSettled());
      await this.commitIfDueNow();
    }
  }

  /**
   * Encode what the pipeline produced and produce it (outputs, repartition records, dead
   * letters) in the current commit unit; note the input as processed but not yet committed.
   */
  private async complete(
    result: BatchResult,
    input: { topic: string; messages: readonly ConsumedMessage[] } | undefined,
    poison: readonly DeadLetter[],
    messages: readonly ConsumedMessage[],
  ): Promise<void> {
    try {
      const inputTopic = input?.topic ?? '';
      const { produce, deadLetters } = await this.encode(result, poison, messages, inputTopic);
      if (produce.size > 0) {
        await inStageSpan('produce', async (span) => {
          span?.setAttributes({
            'messaging.batch.message_count': [...produce.values()].reduce((n, m) => n + m.length, 0),
            'tributary.dlq.records': deadLetters.length,
          });
          await this.sendPipelined([...produce].map(([t, m]) => ({ topic: t, messages: m })));
        });
      }
      // Bounded memory: a buffer over its bound is written out now, within the same commit unit.
      if (this.latest.size > LATEST_PER_KEY_MAX_RECORDS) await this.sendLatest();
      // Stores may have been written even when nothing was produced: the next commit flushes them.
      this.dirty = true;
      if (input && input.messages.length > 0) {
        const lane = `${input.topic}/${this.partition}`;
        const next = BigInt(input.messages[input.messages.length - 1].offset) + 1n;
        const open = this.uncommitted.get(lane);
        if (open) open.next = next;
        else this.uncommitted.set(lane, { topic: input.topic, first: BigInt(input.messages[0].offset), next });
      }
      this.options.onProcessed?.({
        taskId: this.id,
        topic: inputTopic,
        partition: this.partition,
        consumed: messages.length,
        produced: new Map([...produce].map(([t, m]) => [t, m.length])),
        deadLettered: deadLetters.length,
        // Held records (latestPerKey sinks) are reported when they are written.
        outputEventTimes: result.outputs.flatMap((o) => {
          const encoding = this.options.sinks.get(o.sink)!;
          return encoding.latestPerKey ? [] : [{ topic: encoding.topic, eventTime: o.record.timestamp }];
        }),
      });
      this.counters.batches++;
      this.counters.recordsIn += messages.length;
      this.counters.recordsOut += result.outputs.length;
      this.countDeadLettered(deadLetters);
    } catch (error) {
      if (!canRetry(error, this.options.isRecoverableKafkaError)) this.state = 'failed';
      throw error;
    }
  }

  /**
   * The messages to produce per topic: outputs, repartition records and dead letters (poison,
   * step failures, and records their sink's or repartition topic's format cannot hold).
   */
  private async encode(result: BatchResult, poison: readonly DeadLetter[], messages: readonly ConsumedMessage[], inputTopic: string):
  Promise<{ produce: Map<string, ProducedMessage[]>; deadLetters: DeadLetter[] }> {
    const produce = new Map<string, ProducedMessage[]>();
    const add = (t: string, m: ProducedMessage) => {
      const list = produce.get(t);
      if (list) list.push(m); else produce.set(t, [m]);
    };
    const deadLetters: DeadLetter[] = [...poison];
    for (const failure of result.failures) deadLetters.push(this.stepFailure(failure.stepId, failure.record, failure.error, messages, inputTopic));
    await inStageSpan('serialize', (span) => {
      for (const output of result.outputs) {
        const encoding = this.options.sinks.get(output.sink);
        if (!encoding) throw new TaskClosedError(this.id, `unknown sink ${output.sink}`);
        try {
          if (!encoding.latestPerKey) {
            add(encoding.topic, encodeRecord(encoding, output.record));
            continue;
          }
          // The value is encoded when the record is written (it is most often replaced before).
          const frame = encodeRecordFrame(encoding, output.record);
          const held: HeldOutput = { message: frame, sink: output.sink, encoding, record: output.record, messages, inputTopic };
          if (!this.latest.add(encoding.topic, held)) add(encoding.topic, { ...frame, value: encoding.value.serialize(output.record.value) });
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
    return { produce, deadLetters };
  }

  /**
   * Queues a send within the commit unit; waits only while {@link MAX_SENDS_IN_FLIGHT} are
   * unacknowledged. A send starts once the task's previous send was acknowledged (see
   * {@link lastSend}), and not at all if that one failed; where units are transactions, a send of
   * this unit starts once the unit before it has committed.
   */
  private async sendPipelined(messages: TopicMessages[]): Promise<void> {
    this.throwIfSendFailed();
    const committer = this.options.committer;
    const commitBefore = committer.sendsWaitForCommit ? this.committing : undefined;
    const started = this.lastSend.then(async () => {
      this.throwIfSendFailed();
      if (commitBefore !== undefined) {
        await commitBefore;
        this.throwIfCommitFailed();
      }
      return committer.send(messages);
    });
    const sent = started.then(() => undefined, (error: unknown) => { this.sendFailure ??= { error }; });
    this.lastSend = sent;
    this.inFlight.push(sent);
    while (this.inFlight.length > MAX_SENDS_IN_FLIGHT) await this.inFlight.shift();
    this.throwIfSendFailed();
  }

  /** Settles once every send queued so far was acknowledged or failed (never rejects). */
  sendsSettled(): Promise<void> {
    return this.lastSend;
  }

  /** Waits until every send of the unit was acknowledged; throws the first failure. */
  private async sendsAcknowledged(): Promise<void> {
    while (this.inFlight.length > 0) await this.inFlight.shift();
    this.throwIfSendFailed();
  }

  private throwIfSendFailed(): void {
    if (this.sendFailure !== undefined) throw this.sendFailure.error;
  }

  private throwIfCommitFailed(): void {
    if (this.commitFailure !== undefined) throw this.commitFailure.error;
  }

  /** Waits until the unit being committed has committed; throws if its commit failed. */
  private async commitSettled(): Promise<void> {
    await this.committing;
    this.throwIfCommitFailed();
  }

  /** Inside the queue: commit when the interval has passed. */
  private async commitIfDueNow(): Promise<void> {
    if (this.pending() && this.now() - this.lastCommitAt >= this.options.commitIntervalMs) await this.commitNow();
  }

  /**
   * End the commit unit: cut it here (held records sent, stores flushed into its changelog
   * records and write batch, its input offsets taken) and start its commit, which waits for
   * every acknowledgement of the unit, produces the changelog and commits the input offsets
   * (one transaction under exactly_once), then writes RocksDB and the checkpoint. The task
   * processes on meanwhile; the next cut waits for this commit.
   */
  private async commitNow(): Promise<void> {
    await this.commitSettled();
    try {
      // Before the offsets: what the interval's input produced is acknowledged before it counts as done.
      await this.sendLatest();
      const sends = this.inFlight.splice(0);
      const stores = this.options.stores;
      const changelog: ChangelogRecord[] = stores
        ? await inStageSpan('store flush', async (span) => {
          const flushed = await stores.flush();
          span?.setAttribute('tributary.changelog.records', flushed.length);
          return flushed;
        })
        : [];
      const lanes = new Map(this.uncommitted);
      this.uncommitted.clear();
      this.dirty = false;
      this.lastCommitAt = this.now();
      this.committingLanes = lanes;
      this.committing = this.commitUnit(sends, changelog, lanes);
    } catch (error) {
      if (!canRetry(error, this.options.isRecoverableKafkaError)) this.state = 'failed';
      throw error;
    }
  }

  /** The commit of a cut unit (see {@link commitNow}); a failure is kept in commitFailure. */
  private async commitUnit(sends: ReadonlyArray<Promise<void>>, changelog: ChangelogRecord[], lanes: ReadonlyMap<string, UncommittedLane>): Promise<void> {
    try {
      for (const sent of sends) await sent;
      this.throwIfSendFailed();
      const stores = this.options.stores;
      const byTopic = new Map<string, ProducedMessage[]>();
      for (const c of changelog) {
        const list = byTopic.get(c.topic);
        const message = { key: c.key, value: c.value, partition: c.partition };
        if (list) list.push(message); else byTopic.set(c.topic, [message]);
      }
      const offsets: TopicPartitionOffset[] = [...lanes.values()].map((l) => ({ topic: l.topic, partition: this.partition, offset: l.next.toString() }));
      const started = process.hrtime.bigint();
      await inStageSpan('commit', async (span) => {
        span?.setAttributes({ 'tributary.changelog.records': changelog.length, 'tributary.commit.offsets': offsets.length });
        const sent = await this.options.committer.commit([...byTopic].map(([topic, messages]) => ({ topic, messages })), offsets);
        // RocksDB is written only now that the commit succeeded (see TaskStores).
        if (stores) await stores.commitApplied(changelog.length > 0 ? nextChangelogOffsets(changelog, sent) : []);
      });
      for (const [lane, l] of lanes) this.options.committedPositions.set(lane, l.next);
      this.committingLanes = new Map();
      this.options.onCommitted?.(Number(process.hrtime.bigint() - started) / 1e9, changelog.length);
      this.options.onOffsetsCommitted?.(offsets);
    } catch (error) {
      if (!canRetry(error, this.options.isRecoverableKafkaError)) this.state = 'failed';
      this.commitFailure ??= { error };
    }
  }

  /**
   * Produce the held newest records of `latestPerKey` sinks in the current commit unit, their
   * values encoded now; a value its sink's format cannot hold goes to the dead-letter topic, as
   * at once-written sinks.
   */
  private async sendLatest(): Promise<void> {
    if (this.latest.isEmpty) return;
    const deadLetters: DeadLetter[] = [];
    const held: TopicMessages[] = this.latest.drain().map(({ topic, records }) => ({
      topic,
      messages: records.flatMap((h) => {
        try {
          return [{ ...h.message, value: h.encoding.value.serialize(h.record.value) }];
        } catch (error) {
          deadLetters.push({ ...this.stepFailure(`sink:${h.sink}`, h.record, error, h.messages, h.inputTopic), stage: 'serialize' });
          return [];
        }
      }),
    }));
    if (deadLetters.length > 0) held.push({ topic: this.options.deadLetterTopic, messages: deadLetters.map(deadLetterMessage) });
    const written = held.filter((t) => t.messages.length > 0);
    await inStageSpan('produce', async (span) => {
      span?.setAttribute('messaging.batch.message_count', written.reduce((n, t) => n + t.messages.length, 0));
      await this.sendPipelined(written);
    });
    this.countDeadLettered(deadLetters);
    this.options.onProcessed?.({
      taskId: this.id, topic: '', partition: this.partition, consumed: 0, deadLettered: deadLetters.length,
      produced: new Map(written.map((t) => [t.topic, t.messages.length])),
      outputEventTimes: written.filter((t) => t.topic !== this.options.deadLetterTopic)
        .flatMap((t) => t.messages.map((m) => ({ topic: t.topic, eventTime: Number(m.timestamp) }))),
    });
  }

  /** Counts and logs records written to the dead-letter topic (their contents stay out of the log). */
  private countDeadLettered(deadLetters: readonly DeadLetter[]): void {
    this.counters.deadLettered += deadLetters.length;
    if (deadLetters.length > 0) {
      this.options.logger.warn('records sent to the dead-letter topic', { task: this.id, count: deadLetters.length, topic: this.options.deadLetterTopic, first: deadLetters[0].error });
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
   * Close the pipeline, stores and committer once the queue is done. `commit`: commit what is
   * pending first (a clean stop, a partition handed over); without it the pending work is given
   * up (a failure: the app replays it). `wipe` also deletes the task's local state.
   */
  async close(options: { commit: boolean; wipe?: boolean } = { commit: true }): Promise<void> {
    if (this.state === 'closed') return;
    await this.queue;
    if (options.commit && this.state === 'running') {
      const committed = this.pending() ? this.commitNow().then(() => this.commitSettled()) : this.commitSettled();
      await committed.catch((error) => this.options.logger.warn('commit at close failed; the next owner replays from the last commit', { task: this.id, error }));
    }
    this.state = 'closed';
    // A commit in flight ends before the unit is given up (an abort must not cut a transaction's commit).
    await this.committing;
    // Sends still in flight end before the unit is given up (their failures do not matter now).
    await Promise.all(this.inFlight.splice(0));
    await this.options.committer.abort();
    await this.options.pipeline.close?.();
    if (options.wipe) await this.options.stores?.wipe();
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
