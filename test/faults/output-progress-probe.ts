import type { Kafka } from 'kafkajs';

/**
 * Polls the output topic's end offsets every `pollMs` and remembers when each partition grew,
 * so the fault driver can tell how long after a fault the application produced again on every
 * partition (its recovery time: with several processes, the survivors' partitions keep growing
 * while a killed process's wait) without consuming anything.
 */
export class OutputProgressProbe {
  /** When the topic as a whole grew. */
  private readonly growth: number[] = [];
  /** Partition → when it grew. */
  private readonly partitionGrowth = new Map<number, number[]>();
  private readonly lastEnd = new Map<number, number>();
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
        const now = Date.now();
        let grew = false;
        for (const o of offsets) {
          const end = Number(o.high);
          const last = this.lastEnd.get(o.partition);
          if (last !== undefined && end > last) {
            grew = true;
            const times = this.partitionGrowth.get(o.partition) ?? [];
            times.push(now);
            this.partitionGrowth.set(o.partition, times);
          }
          if (last === undefined || end > last) this.lastEnd.set(o.partition, end);
        }
        if (grew) this.growth.push(now);
      } catch {
        // The broker may be down on purpose (broker-restart fault): reconnect on the next poll.
        await admin.disconnect().catch(() => undefined);
        connected = false;
      }
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
    await admin.disconnect().catch(() => undefined);
  }

  /**
   * ms from `since` until every partition that had produced before `since` produced again after
   * `after` (default: `since`); null while one has not yet. The first output of all: `since`
   * before anything grew, then the first growth after `after`.
   */
  recoveryMs(since: number, after = since): number | null {
    const active = [...this.partitionGrowth.values()].filter((times) => times.some((t) => t <= since));
    if (active.length === 0) {
      const t = this.growth.find((g) => g > after);
      return t === undefined ? null : t - since;
    }
    let latest = since;
    for (const times of active) {
      const t = times.find((g) => g > after);
      if (t === undefined) return null;
      latest = Math.max(latest, t);
    }
    return latest - since;
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

  /**
   * The longest time in [from, to] that any one partition went without output (edges count), or
   * null when no partition produced: with input flowing to every partition, how long the worst
   * partition of any process stalled around the faults.
   */
  longestPartitionGapMs(from: number, to: number): number | null {
    let longest: number | null = null;
    for (const times of this.partitionGrowth.values()) {
      let prev = from;
      let gap = 0;
      for (const g of times) {
        if (g <= from) continue;
        if (g > to) break;
        gap = Math.max(gap, g - prev);
        prev = g;
      }
      gap = Math.max(gap, to - prev);
      longest = Math.max(longest ?? 0, gap);
    }
    return longest;
  }

  /** Stops polling. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}
