/**
 * Interactive queries across two `tributary run` processes of one app, on the real broker:
 * each advertises its metrics endpoint, the group's leader hands every member the map of
 * partitions to endpoints, and a key asked of either process is answered by the owner —
 * directly, or after a 307 to the process that owns its partition. The values equal the
 * last count the output topic holds for each word.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../../helpers/free-port';
import { createTopics, randomTopic, requireKafka, testKafka } from '../../helpers/services';
import { expectedWordCounts, produceLines, readUntilWordCounts } from '../../helpers/word-totals';
import { cleanedUp, startTributary } from '../../helpers/tributary-process';

const topologyFile = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'runtime', 'word-totals.yaml');
const WORDS = Array.from({ length: 40 }, (_, i) => `w${i}`);


interface Answer { status: number; location: string | null; body: Record<string, unknown> }

async function get(url: string): Promise<Answer> {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), body: await res.json() as Record<string, unknown> };
}

/** Polls `probe` until it returns a value, or fails after `timeoutMs` with the last reason. */
async function until<T>(what: string, probe: () => Promise<T | string>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const got = await probe().catch((error: unknown) => `error: ${String(error)}`);
    if (typeof got !== 'string') return got;
    last = got;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${last}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('tributary run: interactive queries across two processes', function () {
  this.timeout(240_000);
  const kafka = testKafka();
  const { processes, dirs } = cleanedUp(after);

  before(requireKafka);

  it('finds every key through either process, directly or by the owner\'s redirect, with the output topic\'s values', async () => {
    const input = randomTopic('iq-lines');
    const output = randomTopic('iq-totals');
    const app = `iq-${randomUUID().slice(0, 8)}`;
    await createTopics(kafka, [{ topic: input, partitions: 4 }]);
    const lines = Array.from({ length: 100 }, (_, n) => [0, 1, 2].map((k) => WORDS[(n * 7 + k * 13) % WORDS.length]).join(' '));
    await produceLines(kafka, input, lines);

    const ports = [await freePort(), await freePort()];
    for (const port of ports) {
      const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-iq-'));
      dirs.push(stateDir);
      const p = startTributary(['run', topologyFile, '--metrics-port', String(port), '--advertised-endpoint', `127.0.0.1:${port}`, '--no-status'],
        { APP: app, INPUT: input, OUTPUT: output, STATE_DIR: stateDir });
      processes.push(p);
    }
    await Promise.all(processes.map((p) => p.waitFor(/application started/, 120_000)));
    const expected = expectedWordCounts(lines);
    const { short } = await readUntilWordCounts(kafka, output, expected, { timeoutMs: 120_000 });
    assert.deepEqual(short, [], 'every word reached its count on the output topic');

    // Both members hold partitions of the store and each knows the other's endpoint.
    const bases = ports.map((p) => `http://127.0.0.1:${p}`);
    await until('both processes to see a two-member map of the counts store', async () => {
      for (const base of bases) {
        const meta = await get(`${base}/v1/stores/counts/metadata`);
        const members = meta.body.members as Array<{ endpoint: string; partitions: number[] }> | undefined;
        const withPartitions = (members ?? []).filter((m) => m.partitions.length > 0).map((m) => m.endpoint).sort();
        if (meta.status !== 200 || withPartitions.join() !== ports.map((p) => `127.0.0.1:${p}`).sort().join()) return `${base}: ${JSON.stringify(meta.body)}`;
      }
      return true;
    });

    // The counts store reads a repartition topic with no user source: its keys are JSON.
    const listed = await get(`${bases[0]}/v1/stores`);
    assert.deepEqual(listed.body.stores, [{ store: 'counts', kind: 'key-value', global: false, keyFormat: 'json' }]);

    // Every word, asked of each process: the owner answers, the other redirects to it.
    const answeredBy = new Map<string, number>();
    for (const base of bases) {
      for (const [word, count] of expected) {
        const url = `${base}/v1/stores/counts/keys/${encodeURIComponent(JSON.stringify(word))}`;
        const found = await until(`${word} = ${count} via ${base}`, async () => {
          let answer = await get(url);
          if (answer.status === 307) {
            assert.ok(answer.location, 'a redirect names its location');
            assert.notEqual(new URL(answer.location).origin, base, 'a redirect points at the other process');
            assert.equal(answer.body.owner, new URL(answer.location).host, 'the body names the owner');
            answer = await get(answer.location);
          }
          if (answer.status !== 200) return `${answer.status} ${JSON.stringify(answer.body)}`;
          // The store holds the committed count: equal to the output's last update once committed.
          return answer.body.value === count ? answer : `value ${JSON.stringify(answer.body.value)} != ${count}`;
        });
        assert.equal(found.body.source, 'active');
        // The task's position on its input (the repartition topic of words): committed, and no further than the end.
        const position = found.body.position as Array<{ topic: string; committedOffset: string | null; highWatermark: string | null; lag: number | null }>;
        assert.equal(position.length, 1);
        assert.ok(position[0].committedOffset !== null && position[0].highWatermark !== null, JSON.stringify(position));
        assert.equal(position[0].lag, Number(position[0].highWatermark) - Number(position[0].committedOffset));
        const owner = String(found.body.endpoint);
        answeredBy.set(owner, (answeredBy.get(owner) ?? 0) + 1);
      }
    }
    assert.equal(answeredBy.size, 2, `both processes own words: ${JSON.stringify([...answeredBy])}`);

    // Clear errors: a key not in the store's format, an unknown store and a missing key name what was asked.
    const bad = await get(`${bases[0]}/v1/stores/counts/keys/w1`);
    assert.equal(bad.status, 400);
    assert.match(String(bad.body.error), /bad key for store 'counts': 'w1' is not JSON/);
    const unknown = await get(`${bases[0]}/v1/stores/nope/keys/w1`);
    assert.equal(unknown.status, 404);
    assert.match(String(unknown.body.error), /unknown store 'nope'; stores: counts/);
    const missing = await until('a not-found answer from the owner', async () => {
      let a = await get(`${bases[0]}/v1/stores/counts/keys/${encodeURIComponent('"no-such-word"')}`);
      if (a.status === 307) a = await get(a.location!);
      return a.status === 404 ? a : `${a.status} ${JSON.stringify(a.body)}`;
    });
    assert.match(String(missing.body.error), /key not found in store 'counts'/);

    // Scans: each process returns the words of its partitions and names the other for the rest.
    type Scan = { entries: Array<{ key: string; value: number }>; next: string | null; nextPath: string | null; covered: Array<{ partition: number; source: string }>; elsewhere: Array<{ endpoint: string; partitions: number[]; url: string }>; complete: boolean };
    const parts: Scan[] = [];
    for (const [i, base] of bases.entries()) {
      const scan = await get(`${base}/v1/stores/counts/range?limit=1000`);
      assert.equal(scan.status, 200, JSON.stringify(scan.body));
      const body = scan.body as unknown as Scan;
      const here = body.covered.map((c) => c.partition);
      assert.ok(here.length > 0 && body.covered.every((c) => c.source === 'active'));
      assert.deepEqual(body.elsewhere.map((e) => e.endpoint), [`127.0.0.1:${ports[1 - i]}`], 'the other process is named for the rest');
      assert.deepEqual([...here, ...body.elsewhere[0].partitions].sort(), [0, 1, 2, 3]);
      assert.equal(body.complete, false);
      assert.equal(body.next, null);
      const keys = body.entries.map((e) => e.key);
      assert.deepEqual(keys, [...keys].sort(), 'entries in key order');
      // The URL named for the rest answers the other process's part.
      const there = await get(body.elsewhere[0].url);
      assert.deepEqual((there.body as unknown as Scan).covered.map((c) => c.partition), body.elsewhere[0].partitions);
      parts.push(body);
    }
    const union = new Map(parts.flatMap((p) => p.entries.map((e) => [e.key, e.value] as const)));
    assert.equal(union.size, parts[0].entries.length + parts[1].entries.length, 'no word is in both parts');
    assert.deepEqual([...union].sort(), [...expected].sort(), 'the two parts are every word with its count');

    // A range is bounded by its limit and pages to the end through next/nextPath.
    const inRange = parts[0].entries.map((e) => e.key).filter((k) => k >= 'w1' && k < 'w3');
    const paged: string[] = [];
    let pagePath: string | null = `/v1/stores/counts/range?from=${encodeURIComponent('"w1"')}&to=${encodeURIComponent('"w3"')}&limit=3`;
    let pages = 0;
    while (pagePath !== null && pages < 20) {
      const page = await get(`${bases[0]}${pagePath}`);
      assert.equal(page.status, 200, JSON.stringify(page.body));
      const body = page.body as unknown as Scan;
      assert.ok(body.entries.length <= 3, `a page of ${body.entries.length} entries`);
      paged.push(...body.entries.map((e) => e.key));
      pagePath = body.nextPath;
      pages++;
    }
    assert.deepEqual(paged, inRange);
    assert.ok(pages >= 2, `${inRange.length} words in range took ${pages} page(s)`);
    const prefixed = await get(`${bases[0]}/v1/stores/counts/prefix/${encodeURIComponent('"w1"')}?limit=50`);
    assert.deepEqual((prefixed.body as unknown as Scan).entries.map((e) => e.key), parts[0].entries.map((e) => e.key).filter((k) => k.startsWith('w1')));

    // Bad scans are 4xx with a message.
    const tooMany = await get(`${bases[0]}/v1/stores/counts/range?limit=5000`);
    assert.equal(tooMany.status, 400);
    assert.match(String(tooMany.body.error), /limit must be a whole number from 1 to 1000, not '5000'/);
    const backwards = await get(`${bases[0]}/v1/stores/counts/range?from=${encodeURIComponent('"w3"')}&to=${encodeURIComponent('"w1"')}`);
    assert.equal(backwards.status, 400);
    assert.match(String(backwards.body.error), /'to' must sort after 'from'/);
    const notJson = await get(`${bases[0]}/v1/stores/counts/range?from=w1`);
    assert.equal(notJson.status, 400);
    assert.match(String(notJson.body.error), /'from': 'w1' is not JSON/);
    assert.equal((await get(`${bases[0]}/v1/stores/nope/range`)).status, 404);

    for (const p of processes) p.child.kill('SIGTERM');
    for (const p of processes) assert.equal(await p.exited, 0, p.output().slice(-2000));
  });
});
