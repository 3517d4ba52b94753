import { MultiBar, Presets, type SingleBar } from 'cli-progress';

/** Receives restore progress of one changelog partition. */
export interface RestoreProgress {
  update(topic: string, partition: number, done: number): void;
  finish(): void;
}

/** Where plain progress lines go (default: stderr). */
export type ProgressLog = (line: string) => void;

/**
 * Restore progress: bars (cli-progress) on a terminal, otherwise one plain
 * line per partition every few seconds and at the end, with records per second.
 */
export function restoreProgress(
  totals: ReadonlyArray<{ topic: string; partition: number; total: number }>,
  options: { tty?: boolean; log?: ProgressLog; intervalMs?: number } = {},
): RestoreProgress {
  const tty = options.tty ?? process.stderr.isTTY === true;
  return tty ? new BarProgress(totals) : new LineProgress(totals, options.log ?? ((l) => process.stderr.write(`${l}\n`)), options.intervalMs ?? 5_000);
}

const label = (topic: string, partition: number) => `${topic}[${partition}]`;

class BarProgress implements RestoreProgress {
  private readonly multi = new MultiBar({
    format: 'restore {name} [{bar}] {percentage}% {value}/{total} records | {rate} rec/s | eta {eta}s',
    hideCursor: true,
    clearOnComplete: false,
    stream: process.stderr,
  }, Presets.shades_classic);
  private readonly bars = new Map<string, { bar: SingleBar; started: number }>();

  constructor(totals: ReadonlyArray<{ topic: string; partition: number; total: number }>) {
    for (const t of totals) {
      this.bars.set(label(t.topic, t.partition), { bar: this.multi.create(t.total, 0, { name: label(t.topic, t.partition), rate: 0 }), started: Date.now() });
    }
  }

  update(topic: string, partition: number, done: number): void {
    const entry = this.bars.get(label(topic, partition));
    if (entry === undefined) return;
    const seconds = Math.max((Date.now() - entry.started) / 1000, 0.001);
    entry.bar.update(done, { rate: Math.round(done / seconds) });
  }

  finish(): void {
    this.multi.stop();
  }
}

class LineProgress implements RestoreProgress {
  private readonly state = new Map<string, { total: number; done: number; started: number; lastLine: number }>();

  constructor(
    totals: ReadonlyArray<{ topic: string; partition: number; total: number }>,
    private readonly log: ProgressLog,
    private readonly intervalMs: number,
  ) {
    const now = Date.now();
    for (const t of totals) {
      this.state.set(label(t.topic, t.partition), { total: t.total, done: 0, started: now, lastLine: now });
      log(`restore ${label(t.topic, t.partition)}: ${t.total} records to read`);
    }
  }

  update(topic: string, partition: number, done: number): void {
    const s = this.state.get(label(topic, partition));
    if (s === undefined) return;
    s.done = done;
    const now = Date.now();
    if (now - s.lastLine >= this.intervalMs) {
      s.lastLine = now;
      this.line(label(topic, partition), s, now);
    }
  }

  finish(): void {
    const now = Date.now();
    for (const [name, s] of this.state) this.line(name, s, now, 'done ');
  }

  private line(name: string, s: { total: number; done: number; started: number }, now: number, prefix = ''): void {
    const seconds = Math.max((now - s.started) / 1000, 0.001);
    const pct = s.total === 0 ? 100 : Math.min(100, Math.floor((s.done / s.total) * 100));
    this.log(`restore ${name}: ${prefix}${s.done}/${s.total} offsets (${pct}%) ${Math.round(s.done / seconds)} /s`);
  }
}
