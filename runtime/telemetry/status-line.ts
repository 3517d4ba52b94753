import { scrapePrometheus } from './prometheus-scrape';
import type { PrometheusScrape } from './prometheus-text';
import { capped, summarizeTop, type TopSnapshot } from './top-view';

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
  /** Put before each plain line (e.g. a timestamp and level, so the line reads like the log around it). */
  readonly plainPrefix?: () => string;
}

/** A running status line; `stop()` ends it and leaves the cursor on a fresh line. */
export interface StatusLine {
  stop(): void;
}

const CLEAR = '\r\x1b[2K';
const ms = (s: number | undefined): string => (s === undefined ? '-' : s < 1 ? `${Math.round(s * 1000)}ms` : `${s.toFixed(1)}s`);
const int = (n: number): string => Math.round(n).toLocaleString('en-US');

/**
 * One line summarizing a snapshot, for `tributary run`: records in, out to the
 * sinks and to internal topics (repartition, changelog) since start, with rates
 * over the last interval; lag, end-to-end latency,
 * mean scoring batch, dead letters, tasks by state (naming those not running).
 */
export function formatStatusLine(s: TopSnapshot): string {
  const states = new Map<string, string[]>();
  for (const t of s.tasks) states.set(t.state, [...(states.get(t.state) ?? []), t.id]);
  const tasks = s.tasks.length === 0
    ? 'no tasks'
    : `tasks ${[...states].map(([state, ids]) => `${ids.length} ${state}${state === 'running' ? '' : ` (${ids.join(' ')})`}`).join(', ')}`;
  const rate = (n: number | undefined): string => (n === undefined ? '-' : int(n));
  return [
    `in ${int(s.consumedTotal)} (${rate(s.inPerSecond)}/s) out ${int(s.sentTotal)} (${rate(s.outPerSecond)}/s) internal ${int(s.internalTotal)} (${rate(s.internalPerSecond)}/s)`,
    `lag ${int(s.lag)}`,
    `e2e p50 ${capped(ms, s.e2eP50, s.e2eCapSeconds)} p99 ${capped(ms, s.e2eP99, s.e2eCapSeconds)}`,
    `scoring batch ${s.scoringBatchMean === undefined ? '-' : s.scoringBatchMean.toFixed(0)}`,
    `dlq ${int(s.dlqTotal)}`,
    tasks,
  ].join(' | ');
}

/**
 * The status line of `tributary run`: scrapes the process's own endpoint (so
 * it shows exactly what Prometheus and `tributary top` see) and rewrites one
 * line in place on a terminal, or writes a plain line now and then otherwise.
 *
 * On a terminal the line stays at the bottom: while it is shown, anything else
 * written to `out` (log lines) first clears it and then redraws it below, so
 * logs are never garbled by it. The first scrape is taken at start, so the
 * first line written already has rates.
 */
export function startStatusLine(options: StatusLineOptions): StatusLine {
  const out = options.out ?? process.stderr;
  const tty = out.isTTY === true;
  const period = tty ? options.intervalMs ?? 1_000 : options.plainIntervalMs ?? 30_000;
  let before: { scrape: PrometheusScrape; at: number } | undefined;
  let busy = false;
  let stopped = false;
  // Terminal only: the line's text, whether it is on screen, and whether
  // someone else's write left the cursor mid-line (then it waits).
  let line = '';
  let drawn = false;
  let midLine = false;

  const write = out.write.bind(out) as (chunk: string) => boolean;
  const draw = (): void => {
    if (!line || midLine || stopped) return;
    write(`${CLEAR}${line}`);
    drawn = true;
  };
  const restore = tty
    ? interceptWrites(out, (text) => {
      // Before another write: take the line off the screen.
      if (drawn) write(CLEAR);
      drawn = false;
      midLine = !text.endsWith('\n');
    }, draw)
    : () => undefined;

  const tick = async (print: boolean): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      const scrape = await scrapePrometheus(options.metricsUrl, Math.min(period, 5_000));
      const at = Date.now();
      const snapshot = summarizeTop(scrape, before?.scrape, before ? (at - before.at) / 1000 : undefined);
      before = { scrape, at };
      if (!print || stopped) return;
      const text = formatStatusLine(snapshot);
      if (tty) {
        line = text.slice(0, Math.max(20, (out.columns ?? 120) - 1));
        draw();
      } else {
        write(`${options.plainPrefix?.() ?? ''}${text}\n`);
      }
    } catch {
      // The endpoint is this process's own; a failed scrape (starting, shutting down) just skips a refresh.
    } finally {
      busy = false;
    }
  };
  void tick(false);
  const timer = setInterval(() => void tick(true), period);
  timer.unref();
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      restore();
      if (drawn) write(CLEAR);
      drawn = false;
    },
  };
}

/**
 * Route every other write to `out` around the status line: `before` runs
 * ahead of it with its text, `after` once it was handed on. Returns the undo.
 */
function interceptWrites(out: NodeJS.WriteStream, before: (text: string) => void, after: () => void): () => void {
  const original = out.write;
  const patched = function (chunk: unknown, ...rest: unknown[]): boolean {
    const text = typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : '';
    before(text);
    const ok = (original as (...a: unknown[]) => boolean).call(out, chunk, ...rest);
    after();
    return ok;
  };
  out.write = patched as typeof out.write;
  return () => {
    if (out.write === patched) out.write = original;
  };
}
