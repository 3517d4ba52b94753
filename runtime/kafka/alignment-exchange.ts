import { randomUUID } from 'node:crypto';
import type { KafkaAdmin, KafkaClient, KafkaProducer } from './client/kafka-client';
import type { EventTimeAligner } from './event-time-aligner';
import type { Logger } from '../../core/logger';
import { alignmentTopicName } from '../../topology/internal-topic-names';
import { frontiersMoved, latestFinite } from './frontier-report-rule';

/** Kafka's largest offset: a range that ends there is followed until aborted. */
const FOREVER = (2n ** 63n - 1n).toString();

/** Least time between two reports of a process whose frontiers move. */
const CHANGE_MS = 20;
/** Most time between two reports. */
const KEEPALIVE_MS = 500;


interface Report {
  readonly member: string;
  /** [lane, frontier]; frontiers ±Infinity travel as the strings 'inf' and '-inf'. */
  readonly lanes: ReadonlyArray<readonly [string, number | 'inf' | '-inf']>;
}

/**
 * Event-time alignment across the processes of an application (Flink aligns
 * its sources through the job manager; Tributary has no coordinator, so the
 * processes talk through a one-partition topic): every `intervalMs` each
 * process publishes its lanes' frontiers and hands the others' to its
 * {@link EventTimeAligner}. A process that stops publishing is forgotten
 * after the aligner's stale time, so a crash never blocks the survivors.
 */
export class AlignmentExchange {
  private readonly member = randomUUID();
  private readonly abort = new AbortController();
  private timer?: NodeJS.Timeout;
  private reading?: Promise<void>;
  private sending = false;
  private pending = false;
  private scheduled?: NodeJS.Timeout;
  /** The frontiers last sent, per lane. */
  private lastSent: ReadonlyMap<string, number> = new Map();
  /** The latest finite frontier this process has reported (frontier-report-rule.ts). */
  private sentEdge = -Infinity;

  private constructor(
    private readonly client: KafkaClient,
    private readonly producer: KafkaProducer,
    private readonly topic: string,
    private readonly aligner: EventTimeAligner,
    private readonly logger: Logger,
  ) {}

  /** Starts publishing and reading from the topic's current end (the topic must exist). */
  static async start(client: KafkaClient, admin: KafkaAdmin, app: string, aligner: EventTimeAligner, logger: Logger): Promise<AlignmentExchange> {
    const topic = alignmentTopicName(app);
    const end = await endOffset(admin, topic);
    const exchange = new AlignmentExchange(client, await client.producer(), topic, aligner, logger);
    exchange.follow(end);
    // Frontiers go out when they move (at most every CHANGE_MS: the others wait on them over a
    // backlog), and every KEEPALIVE_MS regardless, so the others know this process is alive.
    aligner.onLocalChange = () => exchange.schedule();
    exchange.timer = setInterval(() => exchange.publish(true), KEEPALIVE_MS);
    return exchange;
  }

  private schedule(): void {
    if (this.scheduled || this.abort.signal.aborted) return;
    this.scheduled = setTimeout(() => { this.scheduled = undefined; this.publish(false); }, CHANGE_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.scheduled);
    this.aligner.onLocalChange = undefined;
    this.abort.abort(new Error('alignment exchange stopped'));
    await this.reading?.catch(() => undefined);
    await this.producer.close().catch(() => undefined);
  }

  /** Sends the frontiers: always on the keepalive, on a local change only when it matters to the others. */
  private publish(keepalive: boolean): void {
    // One report in flight at a time: a slow broker must not pile them up (the latest goes next).
    if (this.sending) { this.pending = true; return; }
    const frontiers = this.aligner.report();
    if (!keepalive && !frontiersMoved(this.lastSent, frontiers, this.aligner.maxSkewMs, this.aligner.leadingEdge(), this.sentEdge)) return;
    this.lastSent = new Map(frontiers);
    this.sentEdge = Math.max(this.sentEdge, latestFinite(frontiers));
    this.sending = true;
    const report: Report = {
      member: this.member,
      lanes: frontiers.map(([lane, f]) => [lane, f === Infinity ? 'inf' : f === -Infinity ? '-inf' : f]),
    };
    this.producer.send([{ topic: this.topic, messages: [{ key: this.member, value: JSON.stringify(report) }] }], 'none')
      .catch((error: unknown) => this.logger.warn('could not publish event-time frontiers', { topic: this.topic, error }))
      .finally(() => {
        this.sending = false;
        if (this.pending) { this.pending = false; this.schedule(); }
      });
  }

  private follow(from: string): void {
    let position = from;
    const read = async (): Promise<void> => {
      while (!this.abort.signal.aborted) {
        try {
          await this.client.readRanges([{ topic: this.topic, partition: 0, from: position, to: FOREVER }], async (batch) => {
            position = batch.nextOffset;
            for (const m of batch.messages) this.receive(m.value);
          }, { maxBytesPerPartition: 1 << 20, signal: this.abort.signal });
        } catch (error) {
          if (this.abort.signal.aborted) return;
          this.logger.warn('reading event-time frontiers failed; reading again', { topic: this.topic, error });
          await new Promise((r) => setTimeout(r, 1_000));
        }
      }
    };
    this.reading = read();
  }

  private receive(value: Buffer | null): void {
    if (!value) return;
    let report: Report;
    try {
      report = JSON.parse(value.toString('utf8')) as Report;
    } catch {
      return; // not ours: the topic is internal, anything else in it is ignored
    }
    if (typeof report?.member !== 'string' || report.member === this.member || !Array.isArray(report.lanes)) return;
    const lanes = new Map<string, number>();
    for (const [lane, f] of report.lanes) lanes.set(lane, f === 'inf' ? Infinity : f === '-inf' ? -Infinity : Number(f));
    this.aligner.setRemote(report.member, lanes);
    // The report may have moved the leading edge on: a move of ours that could wait may not now.
    this.schedule();
  }
}

/**
 * The topic's end now. Another instance may have just created the topic
 * (ours was refused as existing), so its leader can still be on the way:
 * ask again for up to 30 s before giving up.
 */
async function endOffset(admin: KafkaAdmin, topic: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const [partition] = await admin.topicOffsets(topic);
      return partition?.high ?? '0';
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
