import type { CompressionCodec } from '../../../topology/compiled-topology';
import type { CoPartitionGroups, LocalTaskState } from './task-assignment';
import type { MemberEndpoint } from './group-endpoints';
import { TributaryError } from '../../../core/errors';

/*
 * The Kafka client seam. The runtime (StreamApp, its tasks and committers,
 * topic management, changelog restore) talks to Kafka only through these
 * interfaces, so that a client other than kafkajs can be measured behind the
 * same call sites (issue 4: kafkajs is unmaintained). They say what the
 * runtime needs, in its own terms, and nothing more: one group consumer that
 * hands over per-partition batches, an idempotent producer, transactional
 * producers, reads of partition ranges without a group, and a few admin calls.
 *
 * Offsets are decimal strings (int64 does not fit a JS number).
 */

/** Header values as they travel: a name may repeat (an array) or be absent. */
export type MessageHeaders = Record<string, Buffer | string | Array<Buffer | string> | undefined>;

/** A record read from a partition. */
export interface ConsumedMessage {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Milliseconds since the epoch, as a decimal string. */
  readonly timestamp: string;
  readonly headers?: MessageHeaders;
}

/** A record to produce; without `partition` the client's murmur2 partitioner (Java-compatible) places it by key. */
export interface ProducedMessage {
  readonly key?: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly partition?: number;
  readonly timestamp?: string;
  readonly headers?: MessageHeaders;
}

/** Messages for one topic, in the order they must be written. */
export interface TopicMessages {
  readonly topic: string;
  readonly messages: ProducedMessage[];
}

/** What the broker acknowledged for one topic-partition of a produce request. */
export interface SendResult {
  readonly topic: string;
  readonly partition: number;
  /** Offset of the first record written to the partition by the request, when the broker says. */
  readonly baseOffset?: string;
}

/** An offset to commit: the next record the group should read of (topic, partition). */
export interface TopicPartitionOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** Idempotent producer (acks=all); `compression` applies to every topic of the call. */
export interface KafkaProducer {
  send(topicMessages: readonly TopicMessages[], compression: CompressionCodec): Promise<SendResult[]>;
  close(): Promise<void>;
}

/** One open transaction of a {@link TransactionalProducer}. */
export interface KafkaTransaction {
  send(topicMessages: readonly TopicMessages[], compression: CompressionCodec): Promise<SendResult[]>;
  /** Commit `offsets` for `groupId` as part of this transaction. */
  sendOffsets(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/**
 * A producer with a `transactional.id`. Creating it (initTransactions) fences
 * any earlier producer with the same id and aborts its open transaction.
 */
export interface TransactionalProducer {
  begin(): Promise<KafkaTransaction>;
  close(): Promise<void>;
}

/** Options of the application's group consumer. */
export interface GroupConsumerOptions {
  readonly groupId: string;
  /** Subscribed topics; `fromBeginning` is the reset policy when the group has no offset. */
  readonly topics: ReadonlyArray<{ readonly topic: string; readonly fromBeginning: boolean }>;
  readonly maxBytesPerPartition: number;
  /** Topics whose partitions get more than `maxBytesPerPartition` per fetch (fan-in repartition topics, fetch-budgets.ts). */
  readonly topicMaxBytesPerPartition?: ReadonlyMap<string, number>;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** How many partitions' batches may be in the handler at once. */
  readonly partitionsConsumedConcurrently: number;
  /** Topics whose equal-numbered partitions one member must own together (see task-assignment.ts). */
  readonly coPartitionGroups?: CoPartitionGroups;
  /** `host:port` this member serves interactive queries at, advertised to the group (group-endpoints.ts). */
  readonly advertisedEndpoint?: string;
  /**
   * Static membership (group.instance.id, KIP-345): a member that rejoins with the same id
   * within the session timeout gets its partitions back without a rebalance, and a member
   * that stops does not leave the group (its partitions wait for it up to the session timeout).
   */
  readonly groupInstanceId?: string;
  /**
   * A static member leaves the group when the consumer closes (its partitions move at once)
   * instead of staying until its session times out; default false (Kafka's static members stay).
   */
  readonly leaveGroupOnClose?: boolean;
  /** Standby copies of each stateful task on other members (`processing.standbyReplicas`; default 0). */
  readonly standbyReplicas?: number;
  /** Indexes (in `coPartitionGroups`) of the groups whose tasks have state stores: the ones that get standbys. */
  readonly statefulGroups?: ReadonlySet<number>;
  /**
   * What this member holds of each task's state, asked at every join and sent to the group's
   * leader, which keeps tasks where their state is (task-assignment.ts). Task ids are
   * `<group index>_<partition>`.
   */
  readonly localTasks?: () => LocalTaskState;
}

/**
 * A fetched batch of one partition. Isolation is read_committed: records of
 * aborted transactions and control records never appear.
 */
export interface ConsumerBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly ConsumedMessage[];
  /** False once the consumer is stopping. */
  isRunning(): boolean;
  /** True once the partition was revoked or sought since the batch was fetched: drop it. */
  isStale(): boolean;
  /** Keeps the membership alive during long work (restores). */
  heartbeat(): Promise<void>;
  /**
   * The batch is done up to `offset` (inclusive): fetch on after it. Until a
   * batch is marked, a failed handler makes the client fetch it again.
   */
  markProcessed(offset: string): void;
  /** Records between the batch's end and the partition's high watermark. */
  lag(): bigint;
}

/** What the group consumer tells its user. */
export interface GroupConsumerHandlers {
  /** The group (re)assigned partitions to this member: its whole assignment, per topic. */
  onAssignment(assignment: Record<string, number[]>): void;
  /**
   * One partition's batch; batches of a partition come one after another
   * (the next is fetched only after this one resolves: the backpressure).
   * A rejection makes the client fetch the unmarked records again.
   */
  onBatch(batch: ConsumerBatch): Promise<void>;
  /** The consumer stopped for good (the client will not restart it): the app must stop. */
  onFailure(error: unknown): void;
  /**
   * The member is about to rejoin its group, after which its partitions may move: commit what
   * is processed (Kafka Streams' onPartitionsRevoked). The rejoin waits for the promise; it
   * must not reject.
   */
  onRevoking?(): Promise<void>;
  /**
   * After each assignment: every member's advertised query endpoint and partitions, as the
   * group's leader saw them (empty when the client cannot carry them).
   */
  onGroupEndpoints?(members: MemberEndpoint[]): void;
  /**
   * After each assignment (after onAssignment): the tasks (`<group index>_<partition>`) this
   * member keeps a standby copy of; empty when none or when the client cannot carry them.
   */
  onStandbyTasks?(taskIds: string[]): void;
}

/** Member of a consumer group; offsets are committed explicitly only. */
export interface GroupConsumer {
  /** Join the group and start delivering batches; resolves once running. */
  run(handlers: GroupConsumerHandlers): Promise<void>;
  /** Fetch (topic, partition) from `offset` next; batches fetched before are stale. */
  seek(topic: string, partition: number, offset: string): void;
  /**
   * Stop fetching (topic, partition) until {@link resume}: its records are buffered in the task
   * (partition-group.ts). A batch already in the handler stays valid; the position is kept.
   */
  pause(topic: string, partition: number): void;
  /** Fetch (topic, partition) again from where it stood. */
  resume(topic: string, partition: number): void;
  commitOffsets(offsets: readonly TopicPartitionOffset[]): Promise<void>;
  /** Stop fetching and wait for the batches in the handler. */
  stop(): Promise<void>;
  /** Leave the group and close connections. */
  close(): Promise<void>;
}

/** A partition to read from `from` (inclusive) to `to` (exclusive), without a group. */
export interface PartitionRange {
  readonly topic: string;
  readonly partition: number;
  readonly from: string;
  readonly to: string;
}

/** Records of one range read; `nextOffset` also moves over control records and aborted ones. */
export interface RangeBatch {
  readonly topic: string;
  readonly partition: number;
  /** Committed records with `from <= offset < to`. */
  readonly messages: readonly ConsumedMessage[];
  /** Where the partition's read stands after this batch. */
  readonly nextOffset: string;
}

export interface RangeReadOptions {
  readonly maxBytesPerPartition: number;
  /** Aborting ends the read with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** Offsets of one partition: the log start and the last stable offset (read_committed end). */
export interface PartitionOffsets {
  readonly partition: number;
  readonly low: string;
  readonly high: string;
}

/** A topic to create. */
export interface NewTopic {
  readonly topic: string;
  readonly partitions: number;
  /** -1: the broker's default. */
  readonly replicationFactor: number;
  readonly config: Readonly<Record<string, string>>;
}

/** A member of a consumer group, as the group coordinator describes it. */
export interface GroupMember {
  readonly memberId: string;
  readonly clientId: string;
  readonly clientHost: string;
}

/** A consumer group's state (`Empty`, `Stable`, `PreparingRebalance`, `Dead`, ...) and members. */
export interface GroupDescription {
  readonly groupId: string;
  readonly state: string;
  readonly members: readonly GroupMember[];
}

export interface KafkaAdmin {
  listTopics(): Promise<string[]>;
  /** Create topics and wait for their leaders. */
  createTopics(topics: readonly NewTopic[]): Promise<void>;
  /** Partition count of each topic (every topic must exist). */
  partitionCounts(topics: readonly string[]): Promise<Map<string, number>>;
  /** Per-partition offsets of a topic, the high one at read_committed isolation. */
  topicOffsets(topic: string): Promise<PartitionOffsets[]>;
  /** A group's committed offsets for these topics; `-1` where it has none. */
  groupOffsets(groupId: string, topics: readonly string[]): Promise<TopicPartitionOffset[]>;
  /** The group's state and active members (`Dead` with no members when the group does not exist). */
  describeGroup(groupId: string): Promise<GroupDescription>;
  /** Delete topics and wait until the cluster no longer lists them. */
  deleteTopics(topics: readonly string[]): Promise<void>;
  /** Per partition, the first offset whose timestamp is at or after `timestampMs` (the end offset when none is). */
  offsetsForTimestamp(topic: string, timestampMs: number): Promise<Array<{ partition: number; offset: string }>>;
  /** Set the group's committed offsets; the group must have no active members. */
  setGroupOffsets(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void>;
  /** Delete each partition's records below `offset` (Kafka's DeleteRecords: the log start moves up). */
  deleteRecordsBefore(offsets: readonly TopicPartitionOffset[]): Promise<void>;
  /**
   * How long each topic keeps records by their timestamps: its `retention.ms` when its
   * `cleanup.policy` deletes, absent for a topic that keeps them (`-1`, or compacted only).
   */
  timeRetentionMs(topics: readonly string[]): Promise<Map<string, number>>;
  close(): Promise<void>;
}

/** A connection to one Kafka cluster; every object it makes is connected when returned. */
export interface KafkaClient {
  /** Which client library is behind the seam (`kafkajs`). */
  readonly library: string;
  /**
   * Reach a broker (and authenticate) within `timeoutMs`, retrying meanwhile, or reject with
   * one {@link KafkaUnreachableError} naming the brokers. The app calls it first, so an
   * unreachable cluster is one clear error, not a stream of retry logs.
   */
  checkConnection(timeoutMs: number): Promise<void>;
  admin(): Promise<KafkaAdmin>;
  producer(): Promise<KafkaProducer>;
  transactionalProducer(transactionalId: string, transactionTimeoutMs: number): Promise<TransactionalProducer>;
  groupConsumer(options: GroupConsumerOptions): GroupConsumer;
  /** Read the committed records of `ranges` to their ends, in offset order per partition. */
  readRanges(ranges: readonly PartitionRange[], onBatch: (batch: RangeBatch) => Promise<void>, options: RangeReadOptions): Promise<void>;
  /**
   * Whether a failure is one a task recovers from by being rebuilt (the group
   * moved on, a coordinator moved, the client calls it retriable), rather than
   * one that stops the app.
   */
  isRecoverable(error: unknown): boolean;
}

/** No broker of the configured list answered (or accepted the credentials) within the connection timeout. */
export class KafkaUnreachableError extends TributaryError {
  // The cluster may come back: a restart (by the supervisor) can help, the same call right away not.
  readonly retriable = true;

  constructor(readonly brokers: readonly string[], readonly timeoutMs: number, cause: unknown) {
    super(`cannot connect to Kafka at ${brokers.length > 0 ? brokers.join(', ') : 'the configured brokers'} within ${timeoutMs / 1000} s: ${(cause as Error)?.message ?? String(cause)} ` +
      '(check kafka.brokers and that the brokers are up and reachable from here; --connect-timeout sets the wait)', { cause });
  }
}
