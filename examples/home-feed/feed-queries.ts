import type * as http from 'node:http';
import type { Logger } from '../../core/logger';
import type { QueryAnswer, StoreQueries } from '../../runtime/kafka/store-queries';
import { sendQueryAnswer } from '../../runtime/kafka/store-query-routes';
import type { UserFeatures } from './lib/user-features';

/** Where the flagship serves feeds: `GET /feeds/{userId}`. */
export const FEEDS_PREFIX = '/feeds';

/**
 * The store that holds each user's last emitted list: `assemble-feed` keeps the ranked pin ids
 * (`lastTop`), the version and the content hash of every recommendation it emits in the user's
 * features (topology.yaml, step `feed`, option `users`), keyed by user id.
 */
export const FEED_STORE = 'user-features';

/** A user's current feed as `GET /feeds/{userId}` answers it. */
export interface FeedBody {
  readonly userId: string;
  /** The version of the user's last recommendation (1, 2, ...: the `version` on the topic). */
  readonly version: number;
  /** Pin ids, best first: the `items[].pinId` of that recommendation. */
  readonly items: readonly string[];
  readonly contentHash: string;
}

/**
 * `GET /feeds/{userId}` as an answer: the user's last recommended list from the task that holds
 * the user, through the interactive-query machinery (a user on another process is a 307 to
 * `http://<owner>/feeds/{userId}`; 503 while the task restores or moves). 404 when the user has
 * no list yet. Besides the feed, the answer carries the query's `source`, `partition`, `task`,
 * `endpoint` and the task's `position` (how far behind its input it is).
 */
export async function feedAnswer(queries: StoreQueries, userId: string): Promise<QueryAnswer> {
  const answer = await queries.lookup(FEED_STORE, userId, `${FEEDS_PREFIX}/${encodeURIComponent(userId)}`);
  // The store name and key say nothing the path does not; the rest (where, how fresh) stays.
  const { value, ...meta } = answer.body as Record<string, unknown>;
  delete meta.store;
  delete meta.key;
  if (answer.status === 404) return { status: 404, body: { ...meta, userId, error: `no feed for user '${userId}': the user has no features yet` } };
  if (answer.status !== 200) return { ...answer, body: { ...meta, userId } };
  const features = value as UserFeatures;
  if (!(features.version > 0)) return { status: 404, body: { ...meta, userId, error: `no feed for user '${userId}' yet: nothing was recommended to the user` } };
  const feed: FeedBody = { userId, version: features.version, items: features.lastTop, contentHash: features.lastHash };
  return { status: 200, body: { ...feed, ...meta } };
}

/** The HTTP route of {@link feedAnswer}, to mount at {@link FEEDS_PREFIX}. */
export function feedRoute(queries: StoreQueries, logger: Logger): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    const url = req.url ?? '/';
    const path = url.split('?')[0];
    const segment = path.slice(FEEDS_PREFIX.length + 1);
    let userId: string;
    try {
      userId = decodeURIComponent(segment);
    } catch {
      sendQueryAnswer(res, { status: 400, body: { error: `bad percent-encoding in ${path.slice(0, 200)}` } });
      return;
    }
    if (!path.startsWith(`${FEEDS_PREFIX}/`) || userId === '' || segment.includes('/')) {
      sendQueryAnswer(res, { status: 404, body: { error: `no such path; ask ${FEEDS_PREFIX}/{userId} (the user id percent-encoded)` } });
      return;
    }
    void feedAnswer(queries, userId).then(
      (answer) => sendQueryAnswer(res, answer),
      (error: unknown) => {
        logger.warn('feed query failed', { path: path.slice(0, 200), error });
        sendQueryAnswer(res, { status: 500, body: { error: `feed query failed: ${error instanceof Error ? error.message : String(error)}` } });
      },
    );
  };
}
