import { scrapePrometheus } from './prometheus-scrape';
import type { PrometheusScrape } from './prometheus-text';
import { summarizeTop, type TopSnapshot } from './top-view';

/** Options of {@link startStatusLine}. */
export interface StatusLineOptions {
  /** The process's own `/metrics` URL (`telemetry.url + '/metrics'`). */
  readonly metricsUrl: string;
  /** Where to write; stderr by default so stdout stays free for data. */
  readonly out?: NodeJS.WriteStream;
  /** Refresh period on a terminal (default 1 s); without a terminal a line is written every `plainIntervalMs`. */
  readonly intervalMs?: number;
  /** Period of plain lines when `out` is not a terminal (default 30 s): logs get a heartbeat, not a flood. */
  readonly plainIntervalMs?: number;
}

/** A running status line; `stop()` ends it and leaves the cursor on a fresh line. */
export interface StatusLine {
  stop(): void;
}

const ms = (s: number | undefined): string => (s === undefined ? '-' : s < 1 ? `${Math.round(s * 1000)}ms` : `${s.toFixed(1)}s`);

/** One line summarizing a snapshot, for `tributary run`. */
export function formatStatusLine(s: TopSnapshot): string {
  const states = new Map<string, number>();
  for (const t of s.tasks) states.set(t.state, (states.get(t.state) ?? 0) + 1);
  const tasks = s.tasks.length === 0 ? 'no tasks' : [...states].map(([state, n]) => `${n} ${state}`).join(' ');
  const rate = (n: number | undefined): string => (n === undefined ? '-' : Math.round(n).toLocaleString('en-US'));
  return [
    `in ${rate(s.inPerSecond)}/s out ${rate(s.outPerSecond)}/s`,
    `lag ${Math.round(s.lag).toLocaleString('en-US')}`,
    `e2e p50 ${ms(s.e2eP50)} p99 ${ms(s.e2eP99)}`,
    `batch ${s.scoringBatchMean === undefined ? '-' : s.scoringBatchMean.toFixed(0)}`,
    `dlq ${Math.round(s.dlqTotal)}`,
    tasks,
  ].join(' | ');
}

/**
 * The status line of `tributary run`: scrapes the process's own endpoint (so
 * it shows exactly what Prometheus and `tributary top` see) and rewrites one
 * line in place on a terminal, or writes a plain line now and then otherwise.
 */
export function startStatusLine(options: StatusLineOptions): StatusLine {
  const out = options.out ?? process.stderr;
  const tty = out.isTTY === true;
  const period = tty ? options.intervalMs ?? 1_000 : options.plainIntervalMs ?? 30_000;
  let before: { scrape: PrometheusScrape; at: number } | undefined;
  let drawn = false;
  let busy = false;
  const tick = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      const scrape = await scrapePrometheus(options.metricsUrl, Math.min(period, 5_000));
      const at = Date.now();
      const line = formatStatusLine(summarizeTop(scrape, before?.scrape, before ? (at - before.at) / 1000 : undefined));
      before = { scrape, at };
      if (tty) {
        out.write(`\r\x1b[2K${line.slice(0, Math.max(20, (out.columns ?? 120) - 1))}`);
        drawn = true;
      } else {
        out.write(`${line}\n`);
      }
    } catch {
      // The endpoint is this process's own; a failed scrape (shutting down) just skips a refresh.
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), period);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      if (drawn) out.write('\r\x1b[2K');
    },
  };
}
