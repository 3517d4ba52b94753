import { setTimeout as sleep } from 'node:timers/promises';
import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import type { Schema } from 'avsc';
import { AvroSerde } from '../../schemas/serde-avro';
import { createRegistryClient } from '../../schemas/registry-client';
import type { GeneratedEvent } from '../../examples/home-feed/generate/home-feed-generator';
import { loadHomeFeedSchema } from '../../examples/home-feed/generate/home-feed-schemas';
import { RatePacer } from '../../test/helpers/rate-pacer';

/** Topics and registry the feeder writes to. */
export interface FlagshipFeederTargets {
  readonly kafka: Kafka;
  readonly registryUrl: string;
  readonly imagesTopic: string;
  readonly engagementsTopic: string;
}

/** One batch the broker acknowledged: when its events were stamped and how many there were. */
export interface FedBatch {
  readonly stampMs: number;
  readonly images: number;
  readonly engagements: number;
}

/** What one feeding phase produced. */
export interface FeedResult {
  /** Wall-clock ms when the phase started and when it stopped handing events to the producer. */
  readonly startMs: number;
  readonly stopMs: number;
  /** Acknowledged batches, oldest first (a caller counts the events stamped in a window). */
  readonly batches: readonly FedBatch[];
  /** True when the generator ran out before the phase ended. */
  readonly exhausted: boolean;
}

/** Pacing granularity: one batch at most every 10 ms keeps produce requests few at high rates. */
const TICK_MS = 10;
/** Sends in flight before the feeder waits for the oldest (then it falls behind and catches up). */
const MAX_IN_FLIGHT = 8;
/** Largest catch-up batch. */
const MAX_BATCH = 2000;

/**
 * Feeds generated flagship events (HomeFeedGenerator) to Kafka at a fixed rate, open loop,
 * stamping each event's event time (`eventTime` / `createdAt`) and Kafka timestamp with the
 * wall clock when it is serialised, right before its batch is sent. The generator's own
 * timeline is synthetic (days compressed into the stream); re-stamping makes event time equal
 * produce time, as it is in a live system, so event-time latency can be read off one clock.
 * Held-out events are sent as ordinary engagements.
 */
export class FlagshipFeeder {
  private constructor(
    private readonly targets: FlagshipFeederTargets,
    private readonly producer: Producer,
    private readonly engagementSerde: AvroSerde,
    private readonly imageSerde: AvroSerde,
  ) {}

  /** Registers the two input schemas (the generator owns them) and connects a producer. */
  static async open(targets: FlagshipFeederTargets): Promise<FlagshipFeeder> {
    const registry = createRegistryClient({ url: targets.registryUrl });
    const serde = (topic: string, name: 'engagement' | 'image'): Promise<AvroSerde> =>
      AvroSerde.create({ registry, subject: `${topic}-value`, schema: JSON.parse(loadHomeFeedSchema(name).text) as Schema, autoRegister: true });
    const [engagementSerde, imageSerde] = await Promise.all([serde(targets.engagementsTopic, 'engagement'), serde(targets.imagesTopic, 'image')]);
    const producer = targets.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
    await producer.connect();
    return new FlagshipFeeder(targets, producer, engagementSerde, imageSerde);
  }

  /** Sends `count` events as fast as the broker takes them (the pin catalogue before a run). */
  async burst(events: Iterator<GeneratedEvent>, count: number): Promise<FeedResult> {
    const startMs = Date.now();
    const batches: FedBatch[] = [];
    let exhausted = false;
    for (let done = 0; done < count && !exhausted;) {
      const built = this.build(events, Math.min(MAX_BATCH, count - done));
      exhausted = built.exhausted;
      if (built.count === 0) break;
      await this.producer.sendBatch({ topicMessages: built.topicMessages, acks: -1 });
      done += built.count;
      batches.push(built.batch);
    }
    return { startMs, stopMs: Date.now(), batches, exhausted };
  }

  /**
   * Sends events at `rate` per second for `durationMs`, open loop: a send that is slow to be
   * acknowledged does not lower the offered rate until {@link MAX_IN_FLIGHT} sends wait, after
   * which the feeder falls behind and catches up in batches of at most {@link MAX_BATCH}.
   * Resolves once every send is acknowledged; a failed send rejects.
   */
  async paced(events: Iterator<GeneratedEvent>, rate: number, durationMs: number): Promise<FeedResult> {
    const startMs = Date.now();
    const stopAt = startMs + durationMs;
    const pacer = new RatePacer(rate, startMs);
    const inFlight: Array<Promise<void>> = [];
    const batches: FedBatch[] = [];
    let handed = 0;
    let exhausted = false;
    for (let now = Date.now(); now < stopAt && !exhausted; now = Date.now()) {
      const n = pacer.batch(handed, now, MAX_BATCH);
      if (n > 0) {
        const built = this.build(events, n);
        exhausted = built.exhausted;
        handed += built.count;
        if (built.count > 0) {
          const send = this.producer.sendBatch({ topicMessages: built.topicMessages, acks: -1 }).then(() => { batches.push(built.batch); });
          // Marked handled now: a failure surfaces when the send is awaited, not as an unhandled rejection before.
          send.catch(() => undefined);
          inFlight.push(send);
        }
        if (inFlight.length >= MAX_IN_FLIGHT) await inFlight.shift();
      }
      await sleep(Math.max(TICK_MS, pacer.msUntilNext(handed, Date.now())));
    }
    const stopMs = Math.min(Date.now(), stopAt);
    await Promise.all(inFlight);
    batches.sort((a, b) => a.stampMs - b.stampMs);
    return { startMs, stopMs, batches, exhausted };
  }

  /** Disconnects the producer. */
  async close(): Promise<void> {
    await this.producer.disconnect();
  }

  /** Takes up to `n` events, stamps them with now and encodes them, grouped by topic. */
  private build(events: Iterator<GeneratedEvent>, n: number): { topicMessages: Array<{ topic: string; messages: Message[] }>; count: number; batch: FedBatch; exhausted: boolean } {
    const imageMessages: Message[] = [];
    const engagementMessages: Message[] = [];
    let exhausted = false;
    const stamp = Date.now();
    const timestamp = String(stamp);
    for (let i = 0; i < n; i++) {
      const next = events.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      const event = next.value;
      const key = Buffer.from(event.key, 'utf8');
      if (event.kind === 'image') {
        imageMessages.push({ key, value: this.imageSerde.serialize({ ...event.value, createdAt: stamp }), timestamp });
      } else {
        engagementMessages.push({ key, value: this.engagementSerde.serialize({ ...event.value, eventTime: stamp }), timestamp });
      }
    }
    const topicMessages = [];
    if (imageMessages.length) topicMessages.push({ topic: this.targets.imagesTopic, messages: imageMessages });
    if (engagementMessages.length) topicMessages.push({ topic: this.targets.engagementsTopic, messages: engagementMessages });
    return {
      topicMessages, count: imageMessages.length + engagementMessages.length, exhausted,
      batch: { stampMs: stamp, images: imageMessages.length, engagements: engagementMessages.length },
    };
  }
}
