import type * as http from 'node:http';
import type { Logger } from '../../core/logger';
import type { QueryAnswer, StoreQueries } from './store-queries';

/** The path prefix of the interactive-query API on the process's HTTP endpoint. */
export const STORE_QUERY_PREFIX = '/v1/stores';

/**
 * The HTTP face of {@link StoreQueries}, mounted under `/v1/stores` on the telemetry
 * endpoint (GET and HEAD only; the server refuses other methods):
 *
 * - `GET /v1/stores`: the stores and their key formats,
 * - `GET /v1/stores/{store}/metadata`: which endpoints hold which partitions,
 * - `GET /v1/stores/{store}/keys/{key}`: one key's value (the key percent-encoded).
 *
 * Answers are JSON. Errors name the store or key at fault; nothing of the request beyond
 * the store name and key is echoed or logged.
 */
export function storeQueryRoutes(queries: StoreQueries, logger: Logger): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    void answerFor(queries, path).then(
      (answer) => send(res, answer),
      (error: unknown) => {
        logger.warn('store query failed', { path: path.slice(0, 200), error });
        send(res, { status: 500, body: { error: `query failed: ${error instanceof Error ? error.message : String(error)}` } });
      },
    );
  };
}

async function answerFor(queries: StoreQueries, path: string): Promise<QueryAnswer> {
  // Split before decoding, so a key may hold an encoded '/' (%2F).
  const rest = path.slice(STORE_QUERY_PREFIX.length).split('/').filter((p, i) => i > 0 || p !== '');
  if (rest.length === 0 || (rest.length === 1 && rest[0] === '')) return queries.list();
  let parts: string[];
  try {
    parts = rest.map((p) => decodeURIComponent(p));
  } catch {
    return { status: 400, body: { error: `bad percent-encoding in ${path.slice(0, 200)}` } };
  }
  if (parts.length === 2 && parts[1] === 'metadata') return queries.metadata(parts[0]);
  if (parts.length === 3 && parts[1] === 'keys') return queries.get(parts[0], parts[2], path);
  return { status: 404, body: { error: `no such query path; try ${STORE_QUERY_PREFIX}, ${STORE_QUERY_PREFIX}/{store}/metadata or ${STORE_QUERY_PREFIX}/{store}/keys/{key}` } };
}

function send(res: http.ServerResponse, answer: QueryAnswer): void {
  const text = `${JSON.stringify(answer.body, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`;
  res.writeHead(answer.status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...answer.headers }).end(text);
}
