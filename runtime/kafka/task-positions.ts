import type { KafkaAdmin, KafkaClient } from './client/kafka-client';
import type { InputPosition } from './store-access';

/** How long offsets looked up for queries are reused: one admin round a second at most, however many queries come. */
const LOOKUP_TTL_MS = 1_000;

interface Lookup {
  readonly at: number;
  /** Lane (`topic/partition`) → the group's committed offset (absent: none). */
  readonly committed: ReadonlyMap<string, bigint>;
  /** Lane → the partition's end (last stable offset). */
  readonly high: ReadonlyMap<string, bigint>;
}

/**
 * Where the tasks of this process stand on their input partitions, for interactive queries:
 * the offset after the last record a task's committed state reflects, the partition's end,
 * and the lag between them. A task's own commits and fetches say most of it for free; what
 * they cannot (a task just assigned here that has not committed, or an idle partition no batch
 * came from) is looked up with the group's committed offsets and the partitions' end offsets,
 * only when a query asks, at most once per {@link LOOKUP_TTL_MS}.
 */
export class TaskPositions {
  /** Lane → high watermark as of the last batch fetched. */
  private readonly fetchedHigh = new Map<string, bigint>();
  private admin?: Promise<KafkaAdmin>;
  /** Sub-topology input topics → their latest look-up. */
  private readonly lookups = new Map<string, Promise<Lookup>>();
  private closed = false;

  /**
   * @param committed lane → the next offset a task's own last commit covered (shared with the tasks)
   */
  constructor(private readonly kafka: KafkaClient, private readonly groupId: string, private readonly committed: ReadonlyMap<string, bigint>) {}

  /** A batch of `lane` was fetched whose last record is `lastOffset`, with `lag` records behind it. */
  fetched(lane: string, lastOffset: string, lag: bigint): void {
    this.fetchedHigh.set(lane, BigInt(lastOffset) + 1n + lag);
  }

  /** Forget lanes no longer assigned here. */
  retain(assigned: ReadonlySet<string>): void {
    for (const lane of [...this.fetchedHigh.keys()]) if (!assigned.has(lane)) this.fetchedHigh.delete(lane);
  }

  /** The position of the task reading `topics` on `partition`; a failed look-up leaves what it would have filled null. */
  async of(topics: readonly string[], partition: number): Promise<InputPosition[]> {
    const lanes = topics.map((topic) => ({ topic, lane: `${topic}/${partition}` }));
    const complete = lanes.every(({ lane }) => this.committed.has(lane) && this.fetchedHigh.has(lane));
    const looked = complete ? undefined : await this.lookUp(topics).catch(() => undefined);
    return lanes.map(({ topic, lane }) => {
      const committed = this.committed.get(lane) ?? looked?.committed.get(lane);
      const fetched = this.fetchedHigh.get(lane);
      const end = looked?.high.get(lane);
      // Whichever is newer: a fetch after the look-up, or a look-up of an idle partition.
      const high = fetched === undefined ? end : end === undefined || fetched > end ? fetched : end;
      return {
        topic,
        partition,
        committedOffset: committed === undefined ? null : committed.toString(),
        highWatermark: high === undefined ? null : high.toString(),
        lag: committed === undefined || high === undefined ? null : Number(high > committed ? high - committed : 0n),
      };
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const admin = await this.admin?.catch(() => undefined);
    await admin?.close().catch(() => undefined);
  }

  /** Offsets of `topics` no older than {@link LOOKUP_TTL_MS}: a cached look-up, or a new one that concurrent queries share. */
  private async lookUp(topics: readonly string[]): Promise<Lookup> {
    const key = topics.join('\n');
    const cached = this.lookups.get(key);
    if (cached) {
      const done = await cached.catch(() => undefined);
      if (done && Date.now() - done.at < LOOKUP_TTL_MS) return done;
      const newer = this.lookups.get(key);
      if (newer && newer !== cached) return newer;
    }
    const fresh = this.fresh(topics);
    this.lookups.set(key, fresh);
    // A failed look-up is not kept: the next query tries again.
    fresh.catch(() => {
      if (this.lookups.get(key) === fresh) this.lookups.delete(key);
    });
    return fresh;
  }

  private async fresh(topics: readonly string[]): Promise<Lookup> {
    if (this.closed) throw new Error('the application is stopping');
    this.admin ??= this.kafka.admin();
    const admin = await this.admin;
    const committed = new Map<string, bigint>();
    for (const o of await admin.groupOffsets(this.groupId, topics)) if (BigInt(o.offset) >= 0n) committed.set(`${o.topic}/${o.partition}`, BigInt(o.offset));
    const high = new Map<string, bigint>();
    for (const topic of topics) for (const o of await admin.topicOffsets(topic)) high.set(`${topic}/${o.partition}`, BigInt(o.high));
    return { at: Date.now(), committed, high };
  }
}
