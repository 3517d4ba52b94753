/**
 * Results must not depend on the number of partitions or processes (issue 14).
 * A windowed count behind a key change, a stream-table join behind a second
 * repartition and a global-store lookup by another key
 * (test/fixtures/runtime/campaign-alerts.yaml): the campaigns table and the
 * advertisers' global topic written by a third-party producer (Python
 * confluent-kafka with the Java partitioner), the clicks by kafkajs. The
 * alerts must equal an independent model on 1, 3 and 6 partitions and with 2
 * processes, as a backlog and live: every window counted in full (none
 * dropped as late), every join finding its row and every lookup its advertiser.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { consumeMessages, createTopics, KAFKA_BROKERS, randomTopic, requireKafka, testKafka, IDEMPOTENT } from '../../helpers/services';
import { killLeftovers, startTributary, type TributaryProcess } from '../../helpers/tributary-process';

const root = path.join(__dirname, '..', '..', '..', '..');
const topologyFile = path.join(root, 'test', 'fixtures', 'runtime', 'campaign-alerts.yaml');
const python = process.env.TRIBUTARY_E2E_PYTHON ?? path.join(root, 'test', 'e2e', '.venv', 'bin', 'python');

const CAMPAIGNS = 20;
const CLICKS = 3_000;
const BASE = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;

interface Click { readonly user: string; readonly campaign: string; readonly ts: number }

/** Clicks every 100 ms over five minutes, users and campaigns spread so each partition gets many of both. */
function clicks(): Click[] {
  const out: Click[] = [];
  for (let i = 0; i < CLICKS; i++) out.push({ user: `u${i % 37}`, campaign: `c${(i * 7 + Math.floor(i / 11)) % CAMPAIGNS}`, ts: BASE + i * 100 });
  // One click per campaign well after the rest advances every window task's stream time past the last window's grace.
  for (let c = 0; c < CAMPAIGNS; c++) out.push({ user: 'flush', campaign: `c${c}`, ts: BASE + 10 * MINUTE });
  return out;
}

/** The alerts an independent model expects: one per campaign and closed minute, with the campaign's row. */
function expectedAlerts(input: readonly Click[]): string[] {
  const counts = new Map<string, number>();
  for (const c of input) {
    const start = Math.floor(c.ts / MINUTE) * MINUTE;
    if (start >= BASE + 10 * MINUTE) continue; // the flush window never closes
    const key = `${c.campaign}@${start}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, n]) => {
    const [campaign, start] = key.split('@');
    return JSON.stringify({ campaign, start: Number(start), clicks: n, advertiser: `adv-${campaign}`, manager: `mgr-adv-${campaign}` });
  }).sort();
}

describe('co-partitioning and event-time alignment on the real broker (results independent of partitions and processes)', function () {
  this.timeout(300_000);
  const kafka = testKafka();
  const processes: TributaryProcess[] = [];

  before(async function () {
    await requireKafka();
    assert.ok(fs.existsSync(python), `no Python client at ${python}: run bash test/e2e/setup-venv.sh`);
  });
  afterEach(async () => {
    await killLeftovers(processes);
  });

  /** Writes JSON lines [key, value, timestamp] with the Python client (librdkafka, Java partitioner). */
  function produceWithPython(topic: string, rows: ReadonlyArray<readonly [string, unknown, number]>): void {
    const produced = spawnSync(python, [path.join(root, 'test', 'integration', 'partitions', 'produce_keyed.py'), KAFKA_BROKERS.join(','), topic],
      { input: rows.map((r) => JSON.stringify(r)).join('\n') + '\n', encoding: 'utf8', timeout: 60_000 });
    assert.equal(produced.status, 0, `python producer failed: ${produced.stdout} ${produced.stderr}`);
  }

  async function run(partitions: number, instances: number, live: boolean): Promise<string[]> {
    const topics = { CLICKS: randomTopic('clicks'), CAMPAIGNS: randomTopic('campaigns'), ADVERTISERS: randomTopic('advertisers'), ALERTS: randomTopic('alerts') };
    // The events are from January 2026: without retention.ms=-1 the broker's retention check
    // (every 5 minutes) deletes them from the input topics mid-test, and the app reads on from the
    // new log start (the run then misses alerts, as a Kafka consumer must).
    const keep = { 'retention.ms': '-1' };
    await createTopics(kafka, [topics.CLICKS, topics.CAMPAIGNS, topics.ALERTS].map((topic) => ({ topic, partitions, config: keep })));
    // A global store's topic needs no co-partitioning: it has a partition count of its own.
    await createTopics(kafka, [{ topic: topics.ADVERTISERS, partitions: 2, config: keep }]);
    // The tables come first in event time, written by a third-party client with the Java partitioner.
    produceWithPython(topics.CAMPAIGNS, Array.from({ length: CAMPAIGNS }, (_, c) => [`c${c}`, { advertiser: `adv-c${c}` }, BASE - MINUTE]));
    produceWithPython(topics.ADVERTISERS, Array.from({ length: CAMPAIGNS }, (_, c) => [`adv-c${c}`, { manager: `mgr-adv-c${c}` }, BASE - MINUTE]));
    const app = `alerts-${randomUUID().slice(0, 8)}`;
    const start = (): void => {
      for (let i = 0; i < instances; i++) {
        const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-alerts-'));
        processes.push(startTributary(['run', topologyFile, '--no-metrics'], { APP: app, STATE_DIR: stateDir, ...topics }));
      }
    };
    // Live: the app runs before the clicks are written (a few hundred a second, as they happen).
    if (live) {
      start();
      await Promise.all(processes.map((p) => p.waitFor(/application started/, 60_000)));
    }
    const input = clicks();
    const producer = kafka.producer(IDEMPOTENT);
    await producer.connect();
    try {
      const chunk = live ? 100 : 500;
      for (let i = 0; i < input.length; i += chunk) {
        await producer.send({ topic: topics.CLICKS, messages: input.slice(i, i + chunk).map((c) => ({ key: c.user, value: JSON.stringify(c), timestamp: String(c.ts) })) });
        if (live) await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      await producer.disconnect();
    }
    if (!live) start();
    const expected = expectedAlerts(input);
    const received = await consumeMessages(kafka, topics.ALERTS, expected.length, { timeoutMs: 180_000 });
    // Anything more (a duplicate window, a late partial count) would show up here too.
    await new Promise((r) => setTimeout(r, 2_000));
    const more = await consumeMessages(kafka, topics.ALERTS, expected.length + 1, { timeoutMs: 3_000 });
    const alerts = more.length > received.length ? more : received;
    return alerts.map((m) => {
      const v = JSON.parse(m.message.value!.toString()) as { campaign: string; start: number; clicks: number; info: { advertiser: string } | null; advertiser: { manager: string } | null };
      return JSON.stringify({ campaign: v.campaign, start: v.start, clicks: v.clicks, advertiser: v.info?.advertiser ?? null, manager: v.advertiser?.manager ?? null });
    }).sort();
  }

  for (const [partitions, instances, live] of [[1, 1, false], [3, 1, false], [6, 1, false], [6, 2, false], [6, 2, true]] as const) {
    it(`gives the model's alerts on ${partitions} partition(s) with ${instances} process(es), input ${live ? 'live' : 'as a backlog'}`, async () => {
      const alerts = await run(partitions, instances, live);
      const expected = expectedAlerts(clicks());
      const logs = (): string => processes.map((p) => p.output().slice(-6000)).join('\n---\n');
      const missingRow = alerts.filter((a) => a.includes('"advertiser":null') || a.includes('"manager":null'));
      assert.deepEqual(missingRow, [], `every join finds its table row and every lookup its global row\n${logs()}`);
      assert.equal(alerts.length, expected.length, `alerts received\n${logs()}`);
      assert.deepEqual(alerts, expected);
    });
  }
});
