import type { Schema } from 'avsc';
import type { KafkaClient } from '../../../runtime/kafka/client/kafka-client';
import { partitionForKey } from '../../../runtime/kafka/key-partition';
import { AvroSerde } from '../../../schemas/serde-avro';
import { createRegistryClient } from '../../../schemas/registry-client';
import { TransientError } from '../../../core/errors';
import { loadHomeFeedSchema } from '../generate/home-feed-schemas';
import type { RecommendationEvent } from '../generate/home-feed-events';

/** A user's current feed, and where the answer came from. */
export interface UserFeed {
  readonly userId: string;
  readonly version: number;
  /** Pin ids, best first. */
  readonly items: readonly string[];
  readonly contentHash: string;
  /** `query`: the flagship's `GET /feeds/{userId}`; `topic`: the user's newest record on the recommendations topic. */
  readonly from: 'query' | 'topic';
}

export interface FeedClientOptions {
  /** Base URLs of the flagship's query endpoints (`http://host:port`), tried in order; any one will do (it redirects to the owner). */
  readonly endpoints: readonly string[];
  /** The fallback: the recommendations topic, read through this client and the registry. */
  readonly kafka: KafkaClient;
  readonly registryUrl: string;
  readonly topic: string;
  /** Per HTTP request, redirect included (default 2,000 ms). */
  readonly requestTimeoutMs?: number;
}

/**
 * "The feed of user X" as a downstream service asks it: from the flagship's interactive
 * query (`GET /feeds/{userId}`, one small request, redirected to the process holding the user),
 * and, when no endpoint can answer (all down, restoring, a rebalance: a network error, 5xx or
 * 421), from the recommendations topic: the newest version among the user's records on the
 * one partition the user's key goes to. The query answers the state as of the owner's last
 * commit; the topic can be up to a commit interval ahead of it. A 404 from the query is an
 * answer ("no feed yet"), not a reason to read the topic.
 */
export class FeedClient {
  private serde?: AvroSerde;

  constructor(private readonly options: FeedClientOptions) {}

  /** The user's feed, or undefined when the user has none. */
  async feedOf(userId: string): Promise<UserFeed | undefined> {
    for (const base of this.options.endpoints) {
      const answered = await this.ask(base, userId);
      if (answered !== 'unanswered') return answered;
    }
    return this.fromTopic(userId);
  }

  /** One endpoint's answer: a feed, undefined for "no feed", or 'unanswered' (try elsewhere). */
  private async ask(base: string, userId: string): Promise<UserFeed | undefined | 'unanswered'> {
    let res: Response;
    try {
      // fetch follows the 307 to the owner by itself.
      res = await fetch(`${base}/feeds/${encodeURIComponent(userId)}`, { signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 2_000) });
    } catch {
      return 'unanswered';
    }
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      return 'unanswered';
    }
    const body = await res.json() as { version: number; items: string[]; contentHash: string };
    return { userId, version: body.version, items: body.items, contentHash: body.contentHash, from: 'query' };
  }

  /** The newest version of the user's recommendation on the topic (one partition, read to its current end). */
  async fromTopic(userId: string): Promise<UserFeed | undefined> {
    const { kafka, topic } = this.options;
    const admin = await kafka.admin();
    let offsets;
    try {
      offsets = await admin.topicOffsets(topic);
    } finally {
      await admin.close();
    }
    // The recommendations key is the user id as a string: the producer's partition for it.
    const partition = partitionForKey(Buffer.from(userId, 'utf8'), offsets.length);
    const range = offsets.find((o) => o.partition === partition);
    if (range === undefined || BigInt(range.low) >= BigInt(range.high)) return undefined;
    this.serde ??= await AvroSerde.create({
      registry: createRegistryClient({ url: this.options.registryUrl }), subject: `${topic}-value`,
      schema: JSON.parse(loadHomeFeedSchema('recommendation').text) as Schema, autoRegister: false,
    });
    const serde = this.serde;
    const timeout = AbortSignal.timeout(30_000);
    let newest: RecommendationEvent | undefined;
    try {
      await kafka.readRanges([{ topic, partition, from: range.low, to: range.high }], async (batch) => {
        await serde.prepare(batch.messages.map((m) => m.value));
        for (const m of batch.messages) {
          if (m.key?.toString('utf8') !== userId) continue;
          const r = serde.deserialize(m.value) as RecommendationEvent;
          if (newest === undefined || Number(r.version) > Number(newest.version)) newest = r;
        }
      }, { maxBytesPerPartition: 4 << 20, signal: timeout });
    } catch (error) {
      if (timeout.aborted) throw new TransientError(`reading ${topic} partition ${partition} for user '${userId}' took over 30 s`, { cause: error });
      throw error;
    }
    if (newest === undefined) return undefined;
    return { userId, version: Number(newest.version), items: newest.items.map((i) => i.pinId), contentHash: newest.contentHash, from: 'topic' };
  }
}
