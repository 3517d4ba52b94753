import type { CompiledStore, SubTopology } from '../../topology/compiled-topology';
import type { Serde } from '../../schemas/serde';
import { KeyRangeError, StateStoreError } from '../state/errors';
import { keyRangeBytes, type KeyRange, type ScannedEntry } from '../state/committed-scan';
import { structuredKeySerde } from '../state/serde-structured-key';
import { badRequest, jsonKey, parseKey, unavailable, type QueryAnswer } from './internal/query-answers';
import type { InputPosition, StoreAccess } from './store-access';

/** Entries a scan returns when the request names no limit. */
export const DEFAULT_SCAN_LIMIT = 100;
/** The largest limit a scan accepts; a larger one is refused (400), never cut silently. */
export const MAX_SCAN_LIMIT = 1000;

/** A scan as the HTTP route hands it over: still text, checked here. */
export interface ScanRequest {
  readonly store: string;
  /** `range`: `from`/`to` parameters; `prefix`: the `prefix` path segment. */
  readonly kind: 'range' | 'prefix';
  /** The prefix, as the store's key format gives a key (prefix scans only). */
  readonly prefix?: string;
  /** The query parameters: `from`, `to` (range only), `limit`, `after`. */
  readonly params: URLSearchParams;
  /** The request's path (without the query), for the URLs of the other processes and the next page. */
  readonly path: string;
}

/** What {@link StoreQueries} found out about the store before the scan. */
interface LocatedStore {
  readonly store: CompiledStore;
  readonly sub?: SubTopology;
  readonly serde: Serde<unknown>;
}

const PARAMS: Record<ScanRequest['kind'], readonly string[]> = { range: ['from', 'to', 'limit', 'after'], prefix: ['limit', 'after'] };

/**
 * A range or prefix scan of a key-value store, bounded by `limit`. A store is split over its
 * tasks' partitions, and those over processes, so a scan cannot be one redirect: it reads the
 * partitions whose tasks run here (committed state, as key look-ups do), merges them in key
 * order, and names the processes holding the others (`elsewhere`, with the same request's
 * URL there) and the partitions nobody can answer for now (`unavailable`). A page holds up to
 * `limit` entries; `next` (when more remain here) is the continuation token to pass as `after`.
 */
export async function scanStore(access: StoreAccess, request: ScanRequest, located: LocatedStore): Promise<QueryAnswer> {
  const where = { store: request.store };
  const checked = checkRequest(request, located.serde);
  if ('error' in checked) return badRequest(`bad ${request.kind} scan of store '${request.store}': ${checked.error}`, { ...where, keyFormat: located.serde.format });
  const { range, limit } = checked;
  const echo = { ...where, kind: request.kind, ...describeRange(request), limit };
  const self = access.advertisedEndpoint ?? null;

  if (located.store.global !== undefined) {
    const globals = access.globalStores();
    if (globals === undefined || !globals.has(request.store)) return unavailable(`global store '${request.store}' is not open yet`, where);
    const page = await scanGlobal(globals.keyValueStore(request.store), range, limit);
    return { status: 200, body: { ...echo, endpoint: self, source: 'global', ...pageBody(page.entries, page.more, request, limit) } };
  }

  const sub = located.sub!;
  const tasks = access.taskCount(sub.id);
  if (tasks === undefined) return unavailable(`store '${request.store}' is not open yet (the application is starting)`, where);
  const topic = sub.sourceTopics[0];
  const members = access.members();
  const covered: Array<{ partition: number; task: string; source: 'active'; position: readonly InputPosition[] }> = [];
  const reads: Array<Promise<{ entries: ScannedEntry[]; more: boolean } | undefined>> = [];
  const elsewhere = new Map<string, number[]>();
  const unreadable: Array<{ partition: number; reason: string }> = [];
  for (let partition = 0; partition < tasks; partition++) {
    const task = `${sub.id}_${partition}`;
    const local = access.localTask(task);
    if (local.state === 'running') {
      // Position first: the entries then reflect at least the records before it.
      reads.push(local.position().then((position) => local.stores.scanCommitted(request.store, range, limit).then(
        (page) => {
          covered.push({ partition, task, source: 'active', position });
          return page;
        },
        (error: unknown) => {
          // The task closed (rebalance, failure) between the look-up and the read.
          if (error instanceof StateStoreError && error.retriable) {
            unreadable.push({ partition, reason: `task ${task} closed during the scan` });
            return undefined;
          }
          throw error;
        },
      )));
      continue;
    }
    if (local.state === 'restoring') {
      unreadable.push({ partition, reason: `task ${task} is restoring here` });
      continue;
    }
    const owner = members.find((m) => m.assignment[topic]?.includes(partition));
    if (owner === undefined) unreadable.push({ partition, reason: 'no owner yet (a rebalance is in progress)' });
    else if (owner.endpoint === '') unreadable.push({ partition, reason: 'its owner advertises no endpoint (start every process with --advertised-endpoint)' });
    else if (owner.endpoint === self) unreadable.push({ partition, reason: `task ${task} was just assigned here and is not open yet` });
    else elsewhere.set(owner.endpoint, [...(elsewhere.get(owner.endpoint) ?? []), partition]);
  }
  const pages = (await Promise.all(reads)).filter((p): p is { entries: ScannedEntry[]; more: boolean } => p !== undefined);
  // Each task's page is sorted; partitions hold disjoint keys, so one sort of the union is the merge.
  const merged = pages.flatMap((p) => p.entries).sort((a, b) => Buffer.compare(a.order, b.order));
  const more = merged.length > limit || pages.some((p) => p.more);
  const query = request.params.toString();
  return {
    status: 200,
    body: {
      ...echo,
      endpoint: self,
      ...pageBody(merged.slice(0, limit), more, request, limit),
      covered: covered.sort((a, b) => a.partition - b.partition),
      elsewhere: [...elsewhere].map(([endpoint, partitions]) => ({ endpoint, partitions, url: `http://${endpoint}${request.path}${query ? `?${query}` : ''}` })),
      unavailable: unreadable.sort((a, b) => a.partition - b.partition),
      complete: elsewhere.size === 0 && unreadable.length === 0,
    },
  };
}

/** The request's parameters, checked: every problem is a message for a 400. */
function checkRequest(request: ScanRequest, serde: Serde<unknown>): { range: KeyRange; limit: number } | { error: string } {
  const allowed = PARAMS[request.kind];
  for (const name of new Set(request.params.keys())) {
    if (!allowed.includes(name)) return { error: `unknown parameter '${name}'; a ${request.kind} scan takes ${allowed.join(', ')}` };
    if (request.params.getAll(name).length > 1) return { error: `parameter '${name}' is given more than once` };
  }
  const limitText = request.params.get('limit');
  let limit = DEFAULT_SCAN_LIMIT;
  if (limitText !== null) {
    limit = /^\d{1,9}$/.test(limitText) ? Number(limitText) : NaN;
    if (!(limit >= 1 && limit <= MAX_SCAN_LIMIT)) return { error: `limit must be a whole number from 1 to ${MAX_SCAN_LIMIT}, not '${limitText}' (page with 'after' for more)` };
  }
  const range: { from?: unknown; to?: unknown; prefix?: unknown; after?: Buffer } = {};
  const keys: Array<['from' | 'to' | 'prefix', string | null]> = request.kind === 'prefix'
    ? [['prefix', request.prefix ?? '']]
    : [['from', request.params.get('from')], ['to', request.params.get('to')]];
  for (const [name, text] of keys) {
    if (text === null) continue;
    const parsed = parseKey(text, serde.format);
    if ('error' in parsed) return { error: `'${name}': ${parsed.error}` };
    range[name] = parsed.key;
  }
  const afterText = request.params.get('after');
  if (afterText !== null) {
    if (!/^[A-Za-z0-9_-]+$/.test(afterText)) return { error: `'after' must be the 'next' token of an earlier page (base64url), not '${afterText}'` };
    range.after = Buffer.from(afterText, 'base64url');
    try {
      structuredKeySerde.deserialize(range.after);
    } catch {
      return { error: `'after' must be the 'next' token of an earlier page; '${afterText}' is not one` };
    }
  }
  try {
    // Every store's keys use the structured key serde (store-builder.ts): check the bounds in its order.
    keyRangeBytes(structuredKeySerde, range);
  } catch (error) {
    if (error instanceof KeyRangeError) return { error: error.message };
    throw error;
  }
  return { range, limit };
}

function describeRange(request: ScanRequest): Record<string, string> {
  const out: Record<string, string> = {};
  if (request.kind === 'prefix') out.prefix = request.prefix ?? '';
  for (const name of ['from', 'to', 'after']) {
    const v = request.params.get(name);
    if (v !== null) out[name] = v;
  }
  return out;
}

/** Entries, and the token and path of the next page when more remain. */
function pageBody(entries: readonly ScannedEntry[], more: boolean, request: ScanRequest, limit: number): Record<string, unknown> {
  const last = entries[entries.length - 1];
  const next = more && last !== undefined ? last.order.toString('base64url') : null;
  let nextPath: string | null = null;
  if (next !== null) {
    const params = new URLSearchParams(request.params);
    params.set('after', next);
    if (!params.has('limit')) params.set('limit', String(limit));
    nextPath = `${request.path}?${params.toString()}`;
  }
  return { entries: entries.map((e) => ({ key: jsonKey(e.key), value: e.value })), next, nextPath };
}

/**
 * A global store's scan: every process holds all of it. Read through its typed view, with
 * the continuation token turned back into a key (range scans start there; prefix scans skip
 * to it, so a deep page of a prefix scan over a large global store reads what precedes it).
 */
async function scanGlobal(
  store: { range(from?: unknown, to?: unknown): AsyncIterable<[unknown, unknown]>; prefixScan(prefix: unknown): AsyncIterable<[unknown, unknown]> },
  range: KeyRange,
  limit: number,
): Promise<{ entries: ScannedEntry[]; more: boolean }> {
  const after = range.after;
  let source: AsyncIterable<[unknown, unknown]>;
  if (range.prefix !== undefined) source = store.prefixScan(range.prefix);
  else {
    let from = range.from;
    if (after !== undefined) {
      const resume = structuredKeySerde.deserialize(after);
      if (from === undefined || Buffer.compare(after, structuredKeySerde.serialize(from)) >= 0) from = resume;
    }
    source = store.range(from, range.to);
  }
  const entries: ScannedEntry[] = [];
  for await (const [key, value] of source) {
    const order = structuredKeySerde.serialize(key);
    if (after !== undefined && Buffer.compare(order, after) <= 0) continue;
    if (entries.length === limit) return { entries, more: true };
    entries.push({ key, value, order });
  }
  return { entries, more: false };
}
