import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { FeedClient } from '../../../examples/home-feed/consumer/feed-client';
import { KafkajsClient } from '../../../runtime/kafka/client/kafkajs/kafkajs-client';
import type { RecommendationEvent } from '../../../examples/home-feed/generate/home-feed-events';
import { freePort } from '../../helpers/free-port';
import { REGISTRY_URL, requireKafka, requireRegistry, testKafka } from '../../helpers/services';
import { FlagshipRun } from '../../helpers/flagship-run';

interface Answer { status: number; location: string | null; body: Record<string, unknown> }

async function get(url: string): Promise<Answer> {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), body: await res.json() as Record<string, unknown> };
}


/**
 * The flagship's `GET /feeds/{userId}` on real services, two processes of one app in this
 * process (each with its own query endpoint, advertised to the group): a user's feed, asked of
 * either process, is the list of the newest recommendation the topic holds for that user —
 * answered by the owner or after its redirect — and the client example gets the same list
 * from the query and, with no endpoint reachable, from the topic.
 */
describe('home-feed flagship: GET /feeds/{userId} and the feed client', function () {
  this.timeout(300_000);
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'home-feed-q-'));
  const flagship = new FlagshipRun(`home-feed-q-${randomUUID().slice(0, 8)}`, stateDir);
  const { topics, apps, appId } = flagship;
  /** The newest recommendation per user on the topic, once the app drained its input. */
  const newest = new Map<string, RecommendationEvent>();

  before(async () => {
    await requireKafka();
    await requireRegistry();
    await flagship.start(2, { queryEndpoint: { port: 0 } });
    await flagship.generate(['--holdout-share', '0', '--total', '1500', '--users', '40', '--pins', '150', '--interests', '6', '--seed', '11', '--rate', '500']);
    await flagship.drained(200_000);
    const recs = await flagship.read<RecommendationEvent>('recommendations', 'recommendation');
    for (const r of recs) if (Number(r.version) > Number(newest.get(r.userId)?.version ?? 0)) newest.set(r.userId, r);
    assert.ok(newest.size >= 10, `only ${newest.size} users got a recommendation`);
  });

  after(() => flagship.close());

  /** The feed of `userId` asked of `base`, following a redirect; polled while the owner's last commit catches up. */
  async function feedVia(base: string, userId: string, version: number): Promise<{ answer: Answer; redirected: boolean }> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      let answer = await get(`${base}/feeds/${encodeURIComponent(userId)}`);
      const redirected = answer.status === 307;
      if (redirected) {
        assert.equal(answer.location, `http://${String(answer.body.owner)}/feeds/${encodeURIComponent(userId)}`);
        answer = await get(answer.location!);
      }
      if (answer.status === 200 && answer.body.version === version) return { answer, redirected };
      if (Date.now() > deadline) assert.fail(`${userId} via ${base}: ${answer.status} ${JSON.stringify(answer.body)} (want version ${version})`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /**
   * Waits (at most 60 s) until every process, asked for the feed store's metadata, names both
   * processes as holders of partitions: the group may still be rebalancing after the drain (a
   * member that missed heartbeats on a loaded machine rejoins), and while one process holds
   * every partition no user can live on the other.
   */
  async function bothHoldUsers(): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const views = await Promise.all(apps.map((a) => get(`${a.queryUrl!}/v1/stores/user-features/metadata`)));
      const holders = views.map((v) => ((v.body.members ?? []) as Array<{ endpoint: string | null; partitions: number[] }>)
        .filter((m) => m.partitions.length > 0).map((m) => m.endpoint).sort().join(','));
      if (views.every((v) => v.status === 200) && holders.every((h) => h === holders[0]) && holders[0].split(',').length === 2) return;
      if (Date.now() > deadline) assert.fail(`the two processes never both held partitions of the feed store: ${JSON.stringify(views.map((v) => v.body))}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  it('answers each user\'s newest list from either process, through the owner\'s redirect when the user lives on the other', async () => {
    const bases = apps.map((a) => a.queryUrl!);
    let redirects = 0;
    let owners = new Set<string>();
    // A rebalance between the wait and the questions can put every user on one process for a
    // while: the whole pass is asked again (at most three times) after the group settles.
    for (let pass = 0; pass < 3 && owners.size < 2; pass++) {
      await bothHoldUsers();
      owners = new Set<string>();
      for (const [userId, rec] of newest) {
        for (const base of bases) {
          const { answer, redirected } = await feedVia(base, userId, Number(rec.version));
          if (redirected) redirects++;
          owners.add(String(answer.body.endpoint));
          assert.equal(answer.body.userId, userId);
          assert.deepEqual(answer.body.items, rec.items.map((i) => i.pinId), `${userId}: the list of version ${rec.version}`);
          assert.equal(answer.body.contentHash, rec.contentHash);
          assert.equal(answer.body.source, 'active');
          const position = answer.body.position as Array<{ topic: string; committedOffset: string | null; lag: number | null }>;
          assert.deepEqual(position.map((p) => p.topic).sort(), [topics.engagements, topics.images, `${appId}-fresh-throttle-repartition`].sort());
          assert.ok(position.some((p) => p.committedOffset !== null), JSON.stringify(position));
        }
      }
    }
    assert.ok(redirects > 0, 'some users were asked of the process that does not hold them');
    assert.equal(owners.size, 2, `both processes hold users: ${[...owners].join(', ')}`);
    assert.equal(flagship.fatal, undefined, 'no process failed');
  });

  it('answers 404 for a user without a feed and for a path without a user', async () => {
    const base = apps[0].queryUrl!;
    let missing = await get(`${base}/feeds/no-such-user`);
    if (missing.status === 307) missing = await get(missing.location!);
    assert.equal(missing.status, 404);
    assert.match(String(missing.body.error), /no feed for user 'no-such-user'/);
    assert.equal((await get(`${base}/feeds/`)).status, 404);
  });

  it('the feed client answers from the query, and from the topic when no endpoint answers', async () => {
    const [userId, rec] = [...newest][0];
    const kafka = new KafkajsClient(testKafka());
    const common = { kafka, registryUrl: REGISTRY_URL, topic: topics.recommendations };
    const viaQuery = await new FeedClient({ ...common, endpoints: [apps[1].queryUrl!, apps[0].queryUrl!] }).feedOf(userId);
    assert.deepEqual(viaQuery, { userId, version: Number(rec.version), items: rec.items.map((i) => i.pinId), contentHash: rec.contentHash, from: 'query' });
    const viaTopic = await new FeedClient({ ...common, endpoints: [`http://127.0.0.1:${await freePort()}`] }).feedOf(userId);
    assert.deepEqual(viaTopic, { ...viaQuery, from: 'topic' });
    assert.equal(await new FeedClient({ ...common, endpoints: [] }).feedOf('no-such-user'), undefined);
  });
});
