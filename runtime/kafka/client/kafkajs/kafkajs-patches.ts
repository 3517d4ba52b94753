import Module from 'node:module';
import { KAFKAJS_EXTRA_CODECS } from './kafkajs-codecs';
import { encodeRecord } from './kafkajs-record-encoder';
import { produceRequestV3 } from './kafkajs-produce-request';
import { kafkajsMurmur2 } from '../murmur2';
import { decodeRecordBatch } from './kafkajs-record-batch-decoder';
import { kafkajsCrc32c } from './kafkajs-crc32c';
import { installFetchBudgets } from './kafkajs-fetch-budgets';

/**
 * Fixes for kafkajs 2.2.4 (unmaintained), installed into Node's module cache under
 * kafkajs' own module paths before kafkajs loads. This module must load first: the CLI
 * launcher, the mocha setup and the runtime's Kafka modules import it before kafkajs.
 *
 * 1. read_committed reading.
 * kafkajs drops the records of aborted transactions in
 * `src/consumer/filterAbortedMessages.js`, which starts ignoring an aborted
 * producer when it meets a record at or past that transaction's first offset,
 * but activates at most ONE aborted transaction per record it looks at. When a
 * fetch starts after several aborted transactions began, and its first records
 * belong to the second of them, those records pass as committed. That happens on
 * partitions many transactional producers write (sinks, repartition topics and
 * the dead-letter topic of an exactly_once app after a crash aborted several
 * tasks' transactions at once): the fault suite read dead letters twice, and a
 * task reading a repartition topic would process aborted records. Java's
 * consumer activates every aborted transaction whose first offset is at or
 * before the record; so does this replacement.
 *
 * 2. Grouping produced messages by partition. kafkajs' groupMessagesPerPartition
 * copies a partition's array for every message (`[...current, message]`), so a
 * sendBatch costs time quadratic in its messages per partition: about 10% of a
 * `tributary run` profile. The replacement appends.
 *
 * 3. Compression codecs. kafkajs has gzip only and throws `KafkaJSNotImplemented`
 * on snappy, lz4 and zstd batches, so a topic any producer wrote with them stopped
 * the application. kafkajs-codecs.ts adds them to kafkajs' codec table (the object
 * kafkajs exports as `CompressionCodecs`, looked up per batch, so this works even
 * where kafkajs loaded first).
 *
 * 4. A hook before a rejoin. kafkajs' group protocol is eager and has no "partitions revoked"
 * callback: when the group rebalances it rejoins at once, and the partitions may move before
 * the member has committed what it processed. Kafka Streams commits in onPartitionsRevoked;
 * here `ConsumerGroup.prototype.joinAndSync` first awaits the `beforeRejoin` of the member's
 * assigner (kafkajs-task-assigner.ts), when the member was in the group already. The patch is
 * on the class's prototype, so it works even where kafkajs loaded first.
 *
 * 5. The assignment's userData. kafkajs decodes the SyncGroup answer and keeps only the
 * partitions; the userData the leader put there (every member's query endpoint,
 * group-endpoints.ts) is dropped. `Broker.prototype.syncGroup` keeps the last answer per group
 * and member, and the wrapped `joinAndSync` hands its userData to each assigner's `afterSync`.
 *
 * 6. Static membership (KIP-345). kafkajs sends JoinGroup v5, whose request encoder has
 * `group_instance_id`, but `Broker#joinGroup` never passes one, and `ConsumerGroup#leave` always
 * sends LeaveGroup. When an assigner's protocol carries a `groupInstanceId`
 * (kafkajs-task-assigner.ts), the replaced `Broker#joinGroup` sends it (refusing a broker that
 * only speaks JoinGroup below v5, Kafka < 2.3), and `leave` keeps the membership, as Java's
 * static consumers do on close: the broker holds the member's partitions for the session
 * timeout, and a restart with the same id within it gets them back without a rebalance.
 * SyncGroup, Heartbeat and OffsetCommit go without the id: the broker checks a static
 * member's id only when one is given, and the member id identifies it.
 *
 * 7. The request queue's idle timer loop (kafkajs issues #1556, #1604, #1704; fix proposed in
 * PR #1667, never merged). `RequestQueue#scheduleCheckPendingRequests` arms a timer of
 * `throttledUntil - Date.now()` ms even when nothing is pending; unthrottled that is negative,
 * so the timer fires at once and arms the next: a 1 ms loop on every broker connection for
 * the life of the client. A flagship process measured 121,842 timers in 20 idle seconds and
 * 6% of a core doing nothing (an idle process per process count is what made CPU per event
 * grow with processes). The replacement arms a timer only for pending requests, at the end of
 * a throttle or after kafkajs' 10 ms interval; a request pushed later arms it again, and a
 * fulfilled one checks the queue itself.
 *
 * 8. Encoding produced records. kafkajs' Record encoder allocates a zero-filled 512-byte buffer
 * per record, a buffer per varint and 64-bit Long arithmetic per timestamp;
 * kafkajs-record-encoder.ts writes the same bytes into one buffer of the exact size. The Produce
 * request (kafkajs-produce-request.ts) hands it each message as it is, where kafkajs copied every
 * message into a new object first and sorted the batch's timestamps as strings.
 *
 * 9. The default partitioner's hash. kafkajs' murmur2 does every 32-bit multiply in 64-bit Long
 * objects (~0.6 s of the same profile); murmur2.ts is Java's murmur2 with Math.imul, equal on
 * every key (unit test).
 *
 * 10. Fetch bytes per topic. kafkajs asks every partition for one `maxBytesPerPartition`;
 * `Broker#fetch` raises it for the topics a consumer holds a larger budget for (fan-in
 * repartition topics, runtime/kafka/fetch-budgets.ts; kafkajs-fetch-budgets.ts).
 *
 * 11. Decoding fetched records. kafkajs' record batch decoder builds a Decoder per record, reads
 * timestamp deltas as 64-bit Longs, adds offsets and timestamps in Long objects and copies the
 * headers object once per header; kafkajs-record-batch-decoder.ts reads the batch with one
 * cursor and returns the same records.
 *
 * 12. The CRC of a produced batch. kafkajs computes CRC-32C a byte at a time in JavaScript;
 * kafkajs-crc32c.ts computes the same value natively (@node-rs/crc32).
 *
 * 13. Growing a request encoder. kafkajs' `Encoder#ensureAvailable` doubles its buffer with
 * `Buffer.alloc`, which zero-fills bytes the encoder is about to overwrite; a produce request
 * grows several encoders (records, batch, request) to the size of its records. The encoder
 * writes in order and exposes only what it wrote (`buffer` slices to the offset), so the
 * replacement grows with `Buffer.allocUnsafe`. The flagship at 5,000 events/s spent ~330 ms of
 * 45 s in those allocations.
 */

/** The parts of a kafkajs message the filter reads. */
interface FetchedMessage {
  readonly offset: string;
  readonly key?: Buffer | null;
  readonly isControlRecord?: boolean;
  readonly batchContext: { readonly producerId: string; readonly inTransaction: boolean };
}

/** An aborted transaction as a fetch response lists it. */
interface AbortedTransaction {
  readonly firstOffset: string;
  readonly producerId: string;
}

// A control record's key is (version int16, type int16); type 0 is ABORT, 1 is COMMIT.
const ABORT_MARKER_KEY = Buffer.from([0, 0, 0, 0]);

function isAbortMarker(message: FetchedMessage): boolean {
  return message.isControlRecord === true && !!message.key && Buffer.from(message.key).equals(ABORT_MARKER_KEY);
}

/**
 * The records of `messages` (one partition, in offset order) that do not belong to an
 * aborted transaction; control records are kept (kafkajs drops them afterwards).
 */
export function filterAbortedMessages<M extends FetchedMessage>({ messages, abortedTransactions }: { messages: M[]; abortedTransactions?: readonly AbortedTransaction[] }): M[] {
  if (!abortedTransactions || abortedTransactions.length === 0) return messages;
  const pending = [...abortedTransactions].sort((a, b) => (BigInt(a.firstOffset) < BigInt(b.firstOffset) ? -1 : BigInt(a.firstOffset) > BigInt(b.firstOffset) ? 1 : 0));
  const aborting = new Set<string>();
  return messages.filter((message) => {
    const offset = BigInt(message.offset);
    // Every aborted transaction that has begun by this record, not just the next one.
    while (pending.length > 0 && BigInt(pending[0].firstOffset) <= offset) aborting.add(String(pending.shift()!.producerId));
    const producer = String(message.batchContext.producerId);
    if (isAbortMarker(message)) {
      aborting.delete(producer);
      return true;
    }
    return !(message.batchContext.inTransaction && aborting.has(producer));
  });
}

/** kafkajs' partitioner signature, as groupMessagesPerPartition calls it. */
type KafkajsPartitioner = (args: { topic: string; partitionMetadata: unknown[]; message: unknown }) => number;

/**
 * The messages of one topic grouped by the partition the partitioner picks, in their
 * order: `{ [partition]: messages }`, as kafkajs' sendMessages expects.
 */
export function groupMessagesPerPartition({ topic, partitionMetadata, messages, partitioner }: { topic: string; partitionMetadata: unknown[]; messages: unknown[]; partitioner: KafkajsPartitioner }): Record<number, unknown[]> {
  const grouped: Record<number, unknown[]> = {};
  if (partitionMetadata.length === 0) return grouped;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    (grouped[partition] ??= []).push(message);
  }
  return grouped;
}

const REPLACEMENTS: ReadonlyArray<readonly [string, unknown]> = [
  ['kafkajs/src/consumer/filterAbortedMessages', filterAbortedMessages],
  ['kafkajs/src/producer/groupMessagesPerPartition', groupMessagesPerPartition],
  ['kafkajs/src/protocol/recordBatch/record/v0', encodeRecord],
  ['kafkajs/src/protocol/requests/produce/v3/request', produceRequestV3],
  ['kafkajs/src/producer/partitioners/default/murmur2', kafkajsMurmur2],
  ['kafkajs/src/protocol/recordBatch/v0/decoder', decodeRecordBatch],
  ['kafkajs/src/protocol/recordBatch/crc32C', kafkajsCrc32c],
];

/** Installs the replacements unless kafkajs already loaded its own; says whether all are in place. */
function install(): boolean {
  let all = true;
  for (const [request, replacement] of REPLACEMENTS) {
    const path = require.resolve(request);
    const cached = require.cache[path];
    if (cached) {
      all &&= cached.exports === replacement;
      continue;
    }
    const m = new Module(path, module);
    m.filename = path;
    m.loaded = true;
    m.exports = replacement;
    require.cache[path] = m;
  }
  return all;
}

/** Adds snappy, lz4 and zstd to kafkajs' codec table; says whether every one is Tributary's. */
function installCodecs(): boolean {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { Codecs } = require('kafkajs/src/protocol/message/compression') as { Codecs: Record<number, () => unknown> };
  for (const [type, codec] of KAFKAJS_EXTRA_CODECS) Codecs[type] = () => codec;
  return KAFKAJS_EXTRA_CODECS.every(([type, codec]) => Codecs[type]() === codec);
}

/** What a Tributary assigner carries for the rejoin hook and the assignment's userData. */
interface RejoinAware {
  beforeRejoin?: () => Promise<void>;
  afterSync?: (userData: Buffer | null) => void;
}

/** The last SyncGroup answer (encoded MemberAssignment) per `group\0member`, taken by the wrapped joinAndSync. */
const syncedAssignments = new Map<string, Buffer>();

/** Wraps Broker#syncGroup to keep the member's encoded assignment; says whether the wrapper is in place. */
function installSyncCapture(): boolean {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const Broker = require('kafkajs/src/broker') as { prototype: Record<string, unknown> };
  type SyncGroup = (this: unknown, args: { groupId: string; memberId: string }) => Promise<{ memberAssignment?: Buffer }>;
  const proto = Broker.prototype as { syncGroup: SyncGroup; [SYNC_CAPTURE]?: true };
  if (proto[SYNC_CAPTURE]) return true;
  const original = proto.syncGroup;
  proto.syncGroup = async function syncGroup(this: unknown, args) {
    const response = await original.call(this, args);
    if (response?.memberAssignment) syncedAssignments.set(`${args.groupId}\0${args.memberId}`, response.memberAssignment);
    return response;
  };
  proto[SYNC_CAPTURE] = true;
  return true;
}

const SYNC_CAPTURE = Symbol.for('tributary.kafkajs.syncCapture');

/** A group protocol as a Tributary assigner gives it, with the static member's id. */
interface StaticProtocol {
  readonly groupInstanceId?: string;
  /** Leave the group on close (LeaveGroup v3 with the instance id) rather than keep the membership. */
  readonly leaveOnClose?: boolean;
}

/** The arguments kafkajs' ConsumerGroup gives Broker#joinGroup. */
interface JoinGroupArgs {
  readonly groupId: string;
  readonly sessionTimeout: number;
  readonly rebalanceTimeout: number;
  readonly memberId?: string;
  readonly protocolType?: string;
  readonly groupProtocols: ReadonlyArray<{ name: string; metadata: Buffer } & StaticProtocol>;
}

/** JoinGroup's and LeaveGroup's api keys (Kafka protocol). */
const JOIN_GROUP = 11;
const LEAVE_GROUP = 13;

/**
 * Replaces Broker#joinGroup with one that sends the assigner's group.instance.id, and
 * ConsumerGroup#leave with one that keeps a static member in the group; says whether both are in place.
 */
function installStaticMembership(): boolean {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const Broker = require('kafkajs/src/broker') as { prototype: Record<string | symbol, unknown> };
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { requests } = require('kafkajs/src/protocol/requests') as { requests: { JoinGroup: unknown; LeaveGroup: unknown } };
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const ConsumerGroup = require('kafkajs/src/consumer/consumerGroup') as { prototype: Record<string | symbol, unknown> };
  type Built = { request: { apiVersion: number } };
  type BrokerInternals = { lookupRequest(apiKey: number, definition: unknown): (args: Record<string, unknown>) => Built } & Record<symbol, (request: Built) => Promise<unknown>>;
  const proto = Broker.prototype as { joinGroup: (this: BrokerInternals, args: JoinGroupArgs) => Promise<unknown>; [STATIC_MEMBERSHIP]?: true };
  if (proto[STATIC_MEMBERSHIP]) return true;
  const sendRequest = Object.getOwnPropertySymbols(Broker.prototype).find((s) => s.description === 'private:Broker:sendRequest');
  if (sendRequest === undefined) return false;
  const original = proto.joinGroup;
  proto.joinGroup = async function joinGroup(this: BrokerInternals, args: JoinGroupArgs) {
    const groupInstanceId = args.groupProtocols.map((p) => p.groupInstanceId).find((id) => id !== undefined);
    if (groupInstanceId === undefined) return original.call(this, args);
    const build = this.lookupRequest(JOIN_GROUP, requests.JoinGroup);
    const makeRequest = (memberId: string): Promise<unknown> => {
      const built = build({ ...args, memberId, protocolType: args.protocolType ?? 'consumer', groupInstanceId });
      if (built.request.apiVersion < 5) {
        throw new KafkajsStaticMembershipError(`the group coordinator speaks JoinGroup v${built.request.apiVersion}; static membership (group instance id '${groupInstanceId}') needs v5 (Kafka 2.3 or later)`);
      }
      return this[sendRequest](built);
    };
    try {
      return await makeRequest(args.memberId ?? '');
    } catch (error) {
      // A static member is not asked for a member id first, but a broker may still do so.
      if ((error as { name?: string }).name === 'KafkaJSMemberIdRequired') return makeRequest((error as { memberId: string }).memberId);
      throw error;
    }
  };
  const group = ConsumerGroup.prototype as { leave: (this: GroupInternals) => Promise<void> };
  const originalLeave = group.leave;
  group.leave = async function leave(this: GroupInternals & { coordinator?: BrokerInternals }) {
    const staticAssigner = (this.assigners ?? []).find((a) => (a as StaticProtocol).groupInstanceId !== undefined) as StaticProtocol | undefined;
    if (staticAssigner === undefined) return originalLeave.call(this);
    const memberId = this.memberId;
    (this as { memberId: string | null }).memberId = null;
    if (!staticAssigner.leaveOnClose || !memberId || this.coordinator === undefined) {
      // The broker keeps the member (and its partitions) until its session times out.
      return;
    }
    // LeaveGroup v3+ names the member by its instance id too: the broker removes a static member only so.
    const built = this.coordinator.lookupRequest(LEAVE_GROUP, requests.LeaveGroup)({ groupId: this.groupId, memberId, groupInstanceId: staticAssigner.groupInstanceId });
    if (built.request.apiVersion < 3) return;
    await this.coordinator[sendRequest](built);
  };
  proto[STATIC_MEMBERSHIP] = true;
  return true;
}

const STATIC_MEMBERSHIP = Symbol.for('tributary.kafkajs.staticMembership');

/** The coordinator cannot do static membership; no retry helps. */
export class KafkajsStaticMembershipError extends Error {
  readonly retriable = false;
  constructor(message: string) {
    super(message);
    this.name = 'KafkajsStaticMembershipError';
  }
}

/** Wraps ConsumerGroup#joinAndSync with the assigners' beforeRejoin; says whether the wrapper is in place. */
function installRejoinHook(): boolean {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const ConsumerGroup = require('kafkajs/src/consumer/consumerGroup') as { prototype: Record<string, unknown> };
  const proto = ConsumerGroup.prototype as { joinAndSync: (this: GroupInternals) => Promise<unknown>; [REJOIN_HOOK]?: true };
  if (proto[REJOIN_HOOK]) return true;
  const original = proto.joinAndSync;
  proto.joinAndSync = async function joinAndSync(this: GroupInternals) {
    // generationId is null until the first join: only a rejoin can move partitions away.
    if (this.generationId !== null) {
      for (const assigner of this.assigners ?? []) await (assigner as RejoinAware).beforeRejoin?.();
    }
    const result = await original.call(this);
    const key = `${this.groupId}\0${this.memberId}`;
    const encoded = syncedAssignments.get(key);
    syncedAssignments.delete(key);
    if (encoded !== undefined) {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const { MemberAssignment } = require('kafkajs/src/consumer/assignerProtocol') as { MemberAssignment: { decode(b: Buffer): { userData?: Buffer } | null } };
      const userData = MemberAssignment.decode(encoded)?.userData ?? null;
      for (const assigner of this.assigners ?? []) (assigner as RejoinAware).afterSync?.(userData);
    }
    return result;
  };
  proto[REJOIN_HOOK] = true;
  return true;
}

const REJOIN_HOOK = Symbol.for('tributary.kafkajs.rejoinHook');

/** The fields of kafkajs' ConsumerGroup the hook reads. */
interface GroupInternals {
  readonly generationId: number | null;
  readonly groupId: string;
  readonly memberId: string | null;
  readonly assigners?: readonly unknown[];
}

/** kafkajs' CHECK_PENDING_REQUESTS_INTERVAL (requestQueue/index.js). */
const CHECK_PENDING_REQUESTS_MS = 10;

/** Replaces RequestQueue#scheduleCheckPendingRequests (item 7); says whether it is in place. */
function installIdleQueueFix(): boolean {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const RequestQueue = require('kafkajs/src/network/requestQueue') as { prototype: Record<string | symbol, unknown> };
  type Queue = { pending: unknown[]; throttledUntil: number; throttleCheckTimeoutId: NodeJS.Timeout | null; checkPendingRequests(): void };
  const proto = RequestQueue.prototype as { scheduleCheckPendingRequests: (this: Queue) => void; [IDLE_QUEUE_FIX]?: true };
  if (proto[IDLE_QUEUE_FIX]) return true;
  proto.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: Queue) {
    if (this.throttleCheckTimeoutId || this.pending.length === 0) return;
    const untilUnthrottled = this.throttledUntil - Date.now();
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_MS);
  };
  proto[IDLE_QUEUE_FIX] = true;
  return true;
}

const IDLE_QUEUE_FIX = Symbol.for('tributary.kafkajs.idleQueueFix');

/** Replaces Encoder#ensureAvailable (item 13); says whether it is in place. */
function installEncoderGrowth(): boolean {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const Encoder = require('kafkajs/src/protocol/encoder') as { prototype: Record<string | symbol, unknown>; nextPowerOfTwo(n: number): number };
  type Growing = { buf: Buffer; offset: number };
  const proto = Encoder.prototype as { ensureAvailable: (this: Growing, length: number) => void; [ENCODER_GROWTH]?: true };
  if (proto[ENCODER_GROWTH]) return true;
  proto.ensureAvailable = function ensureAvailable(this: Growing, length: number) {
    if (this.offset + length <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(this.offset + length));
    this.buf.copy(grown, 0, 0, this.offset);
    this.buf = grown;
  };
  proto[ENCODER_GROWTH] = true;
  return true;
}

const ENCODER_GROWTH = Symbol.for('tributary.kafkajs.encoderGrowth');

const installed = install();
const codecsInstalled = installCodecs();
const rejoinHookInstalled = installRejoinHook() && installSyncCapture() && installStaticMembership();
const idleQueueFixInstalled = installIdleQueueFix();
const fetchBudgetsInstalled = installFetchBudgets();
const encoderGrowthInstalled = installEncoderGrowth();

/**
 * Throws when kafkajs was loaded before this module, so its consumers could read aborted
 * records: a wiring mistake (an entry point that imports kafkajs first), not a user error.
 */
export function assertKafkajsPatched(): void {
  if (!rejoinHookInstalled) throw new Error('internal: kafkajs\' ConsumerGroup and Broker lack the rejoin hook, the sync capture or static membership (runtime/kafka/client/kafkajs/kafkajs-patches)');
  if (!idleQueueFixInstalled) throw new Error('internal: kafkajs\' RequestQueue lacks the idle timer fix of runtime/kafka/client/kafkajs/kafkajs-patches');
  if (!fetchBudgetsInstalled) throw new Error('internal: kafkajs\' Broker lacks the per-topic fetch budgets of runtime/kafka/client/kafkajs/kafkajs-fetch-budgets');
  if (!encoderGrowthInstalled) throw new Error('internal: kafkajs\' Encoder lacks the growth without zero-fill of runtime/kafka/client/kafkajs/kafkajs-patches');
  if (!codecsInstalled) throw new Error('internal: kafkajs\' codec table does not hold the snappy, lz4 and zstd codecs of runtime/kafka/client/kafkajs/kafkajs-codecs');
  if (!installed) {
    throw new Error('internal: kafkajs was loaded before runtime/kafka/client/kafkajs/kafkajs-patches, so its read_committed consumers could return records of aborted transactions; import that module first in the entry point');
  }
}
