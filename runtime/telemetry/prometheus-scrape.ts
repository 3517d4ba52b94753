import { TransientError } from '../../core/errors';
import { parsePrometheusText, type PrometheusScrape } from './prometheus-text';

/**
 * Fetch and parse a `/metrics` endpoint. An unreachable endpoint or an HTTP
 * error is a {@link TransientError} naming the URL (the process may be
 * starting); a body that is not Prometheus text is not retriable.
 */
export async function scrapePrometheus(url: string, timeoutMs = 5_000): Promise<PrometheusScrape> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const cause = (err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message;
    throw new TransientError(`cannot reach ${url}: ${cause}`, { cause: err });
  }
  if (!response.ok) throw new TransientError(`${url} answered HTTP ${response.status}`);
  return parsePrometheusText(await response.text());
}
