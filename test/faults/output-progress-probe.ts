import type { Kafka } from 'kafkajs';

/**
 * Polls the output topic's end offsets every `pollMs` and remembers when they grew, so the
 * fault driver can tell how long after a fault the application produced again (its recovery
 * time) without consuming anything.
 */
export class OutputProgressProbe {
  private readonly growth: number[] = [];
  private last = -1;
  private running = true;
  private readonly loop: Promise<void>;

  constructor(private readonly kafka: Kafka, private readonly topic: string, private readonly pollMs = 100) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    const admin = this.kafka.admin();
    let connected = false;
    while (this.running) {
      try {
        if (!connected) { await admin.connect(); connected = true; }
        const offsets = await admin.fetchTopicOffsets(this.topic);
        const end = offsets.reduce((n, o) => n + Number(o.high), 0);
        if (end > this.last) {
          if (this.last >= 0) this.growth.push(Date.now());
          this.last = end;
        }
      } catch {
        // The broker may be down on purpose (broker-restart fault): reconnect on the next poll.
        await admin.disconnect().catch(() => undefined);
        connected = false;
      }
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
    await admin.disconnect().catch(() => undefined);
  }

  /** ms from `since` to the first growth after `after` (default: `since`); null if none yet. */
  recoveryMs(since: number, after = since): number | null {
    const t = this.growth.find((g) => g > after);
    return t === undefined ? null : t - since;
  }

  /**
   * Longest time in [from, to] without output growth (the edges count as gaps), or null when
   * `to` is still ahead; the poll interval bounds its resolution.
   */
  longestGapMs(from: number, to: number): number | null {
    if (to > Date.now()) return null;
    let prev = from;
    let longest = 0;
    for (const g of this.growth) {
      if (g <= from) continue;
      if (g > to) break;
      longest = Math.max(longest, g - prev);
      prev = g;
    }
    return Math.max(longest, to - prev);
  }

  /** Stops polling. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}
