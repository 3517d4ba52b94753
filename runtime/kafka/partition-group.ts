import type { ConsumedMessage } from './client/kafka-client';
import type { StreamRecord } from '../../core/stream-record';
import type { DeadLetter } from './dead-letter';
import type { DecodedBatch } from './record-decoder';

/** A slice of one lane's buffered input, taken to be processed. */
export interface TakenInput {
  readonly topic: string;
  readonly records: StreamRecord[];
  readonly poison: DeadLetter[];
  /** Every message the slice covers (records, poison and skipped ones), in offset order. */
  readonly messages: ConsumedMessage[];
  /** Event time of the first record still buffered after the slice, when one is. */
  readonly nextTime?: number;
}

/** A lane with buffered input, for choosing which goes next. */
export interface BufferedLane {
  readonly topic: string;
  /**
   * Event times of the buffered records, in offset order, from index `from` (earlier entries
   * were taken already); none left when only poison or skipped messages are.
   */
  readonly times: readonly number[];
  readonly from: number;
}

/**
 * The fetched, decoded and not yet processed records of a task's input partitions ("lanes"),
 * after Kafka Streams' PartitionGroup. Event-time alignment may hold a lane's records back
 * until other lanes catch up; they wait here, so the client moves on and nothing is fetched
 * or decoded twice (before, a held tail was left unmarked and the client fetched it again:
 * the flagship decoded ~50,000 records a second to process ~2,400).
 *
 * The group takes each message once: a batch the client delivers again (a rebalance resumes a
 * kept partition from the group's committed offset) contributes only offsets past what the
 * lane holds or has handed out. The group lives as long as its task; a task whose work is given
 * up is rebuilt with an empty group, and its lanes are sought back to
 * {@link PartitionGroup.firstOffsets}, so what was buffered is fetched again.
 *
 * A lane's arrays are read from head indices, not sliced, so that taking a few records of a large
 * buffer (a tight skew bound) costs what is taken, not what is left.
 */
export class PartitionGroup {
  private readonly lanes = new Map<string, Lane>();

  /** The messages of a fetched batch of `topic` that the group has not taken yet (offset order kept). */
  unseen(topic: string, messages: readonly ConsumedMessage[]): readonly ConsumedMessage[] {
    const lane = this.lanes.get(topic);
    if (lane === undefined || messages.length === 0 || BigInt(messages[0].offset) >= lane.next) return messages;
    const from = messages.findIndex((m) => BigInt(m.offset) >= lane.next);
    return from === -1 ? [] : messages.slice(from);
  }

  /** Buffers `messages` of `topic` (from {@link unseen}) with what they decoded to. */
  add(topic: string, messages: readonly ConsumedMessage[], decoded: DecodedBatch): void {
    if (messages.length === 0) return;
    let lane = this.lanes.get(topic);
    if (lane === undefined) {
      lane = { messages: [], records: [], times: [], poison: [], messageHead: 0, recordHead: 0, poisonHead: 0, bytes: 0, next: 0n };
      this.lanes.set(topic, lane);
    }
    append(lane.messages, messages);
    append(lane.records, decoded.records);
    for (const r of decoded.records) lane.times.push(r.timestamp);
    append(lane.poison, decoded.poison);
    for (const m of messages) lane.bytes += size(m);
    lane.next = BigInt(messages[messages.length - 1].offset) + 1n;
  }

  /** Lanes holding input, the one whose next record is oldest first; a lane of poison or skipped messages only comes first. */
  buffered(): BufferedLane[] {
    const lanes: BufferedLane[] = [];
    for (const [topic, lane] of this.lanes) if (lane.messageHead < lane.messages.length) lanes.push({ topic, times: lane.times, from: lane.recordHead });
    return lanes.sort((a, b) => (a.times[a.from] ?? -Infinity) - (b.times[b.from] ?? -Infinity));
  }

  /**
   * Takes the next `count` buffered records of `topic` with every message before the first
   * record left (poison and skipped messages included); all of them when `count` covers every record.
   */
  take(topic: string, count: number): TakenInput {
    const lane = this.lanes.get(topic);
    if (lane === undefined || lane.messageHead >= lane.messages.length) return { topic, records: [], poison: [], messages: [] };
    if (count >= lane.records.length - lane.recordHead) {
      const all = {
        topic,
        records: rest(lane.records, lane.recordHead),
        poison: rest(lane.poison, lane.poisonHead),
        messages: rest(lane.messages, lane.messageHead),
      };
      Object.assign(lane, { messages: [], records: [], times: [], poison: [], messageHead: 0, recordHead: 0, poisonHead: 0, bytes: 0 });
      return all;
    }
    const recordEnd = lane.recordHead + count;
    const cut = BigInt(lane.records[recordEnd].source!.offset);
    let messageEnd = lane.messageHead;
    while (messageEnd < lane.messages.length && BigInt(lane.messages[messageEnd].offset) < cut) messageEnd++;
    let poisonEnd = lane.poisonHead;
    while (poisonEnd < lane.poison.length && BigInt(lane.poison[poisonEnd].offset) < cut) poisonEnd++;
    const taken = {
      topic,
      records: lane.records.slice(lane.recordHead, recordEnd),
      poison: lane.poison.slice(lane.poisonHead, poisonEnd),
      messages: lane.messages.slice(lane.messageHead, messageEnd),
      nextTime: lane.times[recordEnd],
    };
    for (const m of taken.messages) lane.bytes -= size(m);
    lane.recordHead = recordEnd;
    lane.messageHead = messageEnd;
    lane.poisonHead = poisonEnd;
    compact(lane);
    return taken;
  }

  /** Bytes (keys and values) buffered for `topic`: the task's fetch bound counts them. */
  bytes(topic: string): number {
    return this.lanes.get(topic)?.bytes ?? 0;
  }

  /** Messages buffered for `topic` (consumer lag counts them as not yet consumed). */
  count(topic: string): number {
    const lane = this.lanes.get(topic);
    return lane === undefined ? 0 : lane.messages.length - lane.messageHead;
  }

  get isEmpty(): boolean {
    for (const lane of this.lanes.values()) if (lane.messageHead < lane.messages.length) return false;
    return true;
  }

  /** The first buffered offset of each lane holding input: where a replay must start at the latest. */
  firstOffsets(): Array<{ topic: string; offset: bigint }> {
    const first: Array<{ topic: string; offset: bigint }> = [];
    for (const [topic, lane] of this.lanes) {
      if (lane.messageHead < lane.messages.length) first.push({ topic, offset: BigInt(lane.messages[lane.messageHead].offset) });
    }
    return first;
  }
}

interface Lane {
  messages: ConsumedMessage[];
  records: StreamRecord[];
  /** `records`' event times, kept beside them: alignment reads them at every try. */
  times: number[];
  poison: DeadLetter[];
  /** The first entry of each array not taken yet. */
  messageHead: number;
  recordHead: number;
  poisonHead: number;
  bytes: number;
  /** The offset after the last message the lane took in: anything below it is here or was handed out. */
  next: bigint;
}

/** Taken entries are dropped from a lane's arrays once they are most of them (amortised O(1) per entry). */
const COMPACT_AFTER = 1024;

function compact(lane: Lane): void {
  if (lane.messageHead < COMPACT_AFTER || lane.messageHead * 2 < lane.messages.length) return;
  lane.messages = rest(lane.messages, lane.messageHead);
  lane.records = rest(lane.records, lane.recordHead);
  lane.times = rest(lane.times, lane.recordHead);
  lane.poison = rest(lane.poison, lane.poisonHead);
  lane.messageHead = 0;
  lane.recordHead = 0;
  lane.poisonHead = 0;
}

function rest<T>(items: T[], head: number): T[] {
  return head === 0 ? items : items.slice(head);
}

function size(m: ConsumedMessage): number {
  return (m.value?.length ?? 0) + (m.key?.length ?? 0);
}

/** Pushes without spreading (a batch may hold more items than a call's arguments can). */
function append<T>(to: T[], items: readonly T[]): void {
  for (const item of items) to.push(item);
}
