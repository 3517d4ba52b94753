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
 * - `GET /v1/stores/{store}/keys/{key}[?allowStandby=true]`: one key's value (the key
 *   percent-encoded); with `allowStandby` a standby copy here may answer, marked as such,
 * - `GET /v1/stores/{store}/range?from=&to=&limit=&after=`: the entries with from <= key < to
 *   (either bound may be left out) in the partitions this process holds, a page at a time,
 * - `GET /v1/stores/{store}/prefix/{prefix}?limit=&after=`: the entries whose key starts with
 *   the prefix, likewise.
 *
 * Answers are JSON. Errors name the store or key at fault; nothing of the request beyond
 * the store name and key is echoed or logged.
 */
export function storeQueryRoutes(queries: StoreQueries, logger: Logger): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    const url = req.url ?? '/';
    const mark = url.indexOf('?');
    const path = mark < 0 ? url : url.slice(0, mark);
    const query = mark < 0 ? '' : url.slice(mark + 1);
    void answerFor(queries, path, query).then(
      (answer) => sendQueryAnswer(res, answer),
      (error: unknown) => {
        logger.warn('store query failed', { path: path.slice(0, 200), error });
        sendQueryAnswer(res, { status: 500, body: { error: `query failed: ${error instanceof Error ? error.message : String(error)}` } });
      },
    );
  };
}

async function answerFor(queries: StoreQueries, path: string, query: string): Promise<QueryAnswer> {
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
  if (parts.length === 3 && parts[1] === 'keys') {
    const allowStandby = new URLSearchParams(query).get('allowStandby');
    if (allowStandby !== null && allowStandby !== 'true' && allowStandby !== 'false') return { status: 400, body: { error: `allowStandby must be true or false, not '${allowStandby.slice(0, 20)}'` } };
    return queries.get(parts[0], parts[2], path, { allowStandby: allowStandby === 'true' });
  }
  if (parts.length === 2 && parts[1] === 'range') return queries.scan({ store: parts[0], kind: 'range', params: new URLSearchParams(query), path });
  if (parts.length === 3 && parts[1] === 'prefix') return queries.scan({ store: parts[0], kind: 'prefix', prefix: parts[2], params: new URLSearchParams(query), path });
  return {
    status: 404,
    body: { error: `no such query path; try ${STORE_QUERY_PREFIX}, ${STORE_QUERY_PREFIX}/{store}/metadata, ${STORE_QUERY_PREFIX}/{store}/keys/{key}, ${STORE_QUERY_PREFIX}/{store}/range?from=&to=&limit= or ${STORE_QUERY_PREFIX}/{store}/prefix/{prefix}?limit=` },
  };
}

/** Writes a query answer as JSON (HEAD gets the headers only: Node's response drops the body). */
export function sendQueryAnswer(res: http.ServerResponse, answer: QueryAnswer): void {
  const text = `${JSON.stringify(answer.body, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`;
  res.writeHead(answer.status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...answer.headers }).end(text);
}
