import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidArgumentError } from 'commander';
import type { CliCommand } from './cli-command';
import { positiveOption } from './option-parsers';
import { TributaryError } from '../../core/errors';
import { ExitCode } from '../../core/exit-code';
import { scrapePrometheus } from '../telemetry/prometheus-scrape';
import type { PrometheusScrape } from '../telemetry/prometheus-text';
import { renderTop, summarizeTop } from '../telemetry/top-view';

interface TopOptions {
  url: string;
  interval: number;
  once?: boolean;
  count?: number;
}

/** `http://host:port` or `http://host:port/` → `.../metrics`; a URL with another path is used as given. */
export function metricsUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidArgumentError(`'${url}' is not a URL (expected e.g. http://127.0.0.1:9464)`);
  }
  if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = '/metrics';
  return parsed.toString();
}

/**
 * `tributary top`: a live view of a running application's endpoint —
 * throughput, lag, end-to-end latency p50/p99, scoring batch size, DLQ
 * count, per-task state. Redraws in place on a terminal; prints plain blocks
 * of lines otherwise (logs, pipes). `--once` prints one view from two scrapes
 * an interval apart and exits.
 */
export const topCommand: CliCommand = {
  register(program) {
    program
      .command('top')
      .description("live view of a running application's metrics endpoint")
      .option('--url <url>', 'the endpoint of `tributary run`', 'http://127.0.0.1:9464')
      .option('--interval <seconds>', 'refresh period', positiveOption('--interval'), 2)
      .option('--once', 'print one view (two scrapes an interval apart) and exit')
      .option('--count <n>', 'exit after n views', positiveOption('--count'))
      .action(async (options: TopOptions) => {
        process.exitCode = await runTop(options);
      });
  },
};

async function runTop(options: TopOptions): Promise<number> {
  let url: string;
  try {
    url = metricsUrl(options.url);
  } catch (err) {
    process.stderr.write(`tributary top: ${(err as Error).message}\n`);
    return ExitCode.usage;
  }
  const out = process.stdout;
  const tty = out.isTTY === true && !options.once;
  const views = options.once ? 1 : options.count ?? Infinity;
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let drawn = 0;
  let before: { scrape: PrometheusScrape; at: number } | undefined;
  try {
    for (let shown = 0; shown < views && !stop.signal.aborted; ) {
      let scrape: PrometheusScrape;
      try {
        scrape = await scrapePrometheus(url);
      } catch (err) {
        // A one-shot view or a pipe wants a clear failure; a live view waits for the app to come back.
        if (options.once || !tty) {
          process.stderr.write(`tributary top: ${err instanceof TributaryError ? err.message : String(err)}\n`);
          return ExitCode.failed;
        }
        drawn = redraw(out, drawn, [`tributary top  ${url}  waiting: ${(err as Error).message}`]);
        before = undefined;
        await sleep(options.interval * 1000, undefined, { signal: stop.signal }).catch(() => undefined);
        continue;
      }
      const at = Date.now();
      // The first scrape of --once only sets the baseline for rates.
      if (before || !options.once) {
        const lines = renderTop(summarizeTop(scrape, before?.scrape, before ? (at - before.at) / 1000 : undefined), url, new Date(at));
        if (tty) drawn = redraw(out, drawn, lines);
        else out.write(`${lines.join('\n')}\n\n`);
        shown++;
      }
      before = { scrape, at };
      if (shown < views) await sleep(options.interval * 1000, undefined, { signal: stop.signal }).catch(() => undefined);
    }
    return ExitCode.ok;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Replace the previously drawn block (cursor up, clear each line) with `lines`; returns the new height. */
function redraw(out: NodeJS.WriteStream, previous: number, lines: string[]): number {
  let text = previous > 0 ? `\x1b[${previous}A` : '';
  for (const line of lines) text += `\x1b[2K${line}\n`;
  for (let i = lines.length; i < previous; i++) text += '\x1b[2K\n';
  out.write(text);
  return Math.max(lines.length, previous);
}
