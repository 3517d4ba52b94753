/**
 * Helpers for tests that scrape a running Tributary process's endpoint
 * (`startTelemetry`, `tributary run`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { scrapePrometheus } from '../../../runtime/telemetry/prometheus-scrape';
import { sumSamples, type PrometheusScrape } from '../../../runtime/telemetry/prometheus-text';

/**
 * Scrape `metricsUrl` every `pollMs` until `check` returns true, and resolve
 * with that scrape. `check` may return a string saying what is still missing;
 * on timeout the error carries the last such reason so a failing test says why.
 */
export async function waitForMetrics(
  metricsUrl: string,
  check: (scrape: PrometheusScrape) => boolean | string,
  options: { timeoutMs?: number; pollMs?: number } = {},
): Promise<PrometheusScrape> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let last = 'never scraped';
  for (;;) {
    try {
      const scrape = await scrapePrometheus(metricsUrl);
      const verdict = check(scrape);
      if (verdict === true) return scrape;
      last = verdict === false ? 'condition not met' : verdict;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`metrics at ${metricsUrl} not as expected after ${options.timeoutMs ?? 30_000} ms: ${last}`);
    await sleep(options.pollMs ?? 200);
  }
}

/** A check for {@link waitForMetrics}: the series `name` (summed, filtered by labels) equals `expected`. */
export function metricEquals(name: string, expected: number, where: Record<string, string> = {}): (s: PrometheusScrape) => true | string {
  return (s) => {
    const got = sumSamples(s, name, where);
    return got === expected ? true : `${name}${JSON.stringify(where)} = ${got}, want ${expected}`;
  };
}

/** Combine checks: true when all are; otherwise the first reason. */
/** A check for {@link waitForMetrics}: the series `name` (summed, filtered by labels) is at least `least`. */
export function metricAtLeast(name: string, least: number, where: Record<string, string> = {}): (s: PrometheusScrape) => true | string {
  return (s) => {
    const got = sumSamples(s, name, where);
    return got >= least ? true : `${name}${JSON.stringify(where)} = ${got}, want at least ${least}`;
  };
}

export function allOf(...checks: Array<(s: PrometheusScrape) => boolean | string>): (s: PrometheusScrape) => true | string {
  return (s) => {
    for (const c of checks) {
      const v = c(s);
      if (v !== true) return v === false ? 'condition not met' : v;
    }
    return true;
  };
}
