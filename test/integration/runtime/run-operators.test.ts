/**
 * Issue 6 end to end on the real broker: a topology using a tumbling window,
 * a stream-table join, decayed counters and top-K (behind a repartition),
 * run by `tributary run`.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { consumeMessages, createTopics, randomTopic, requireKafka, testKafka, IDEMPOTENT } from '../../helpers/services';
import { startTributary, type TributaryProcess } from '../../helpers/tributary-process';

const topologyFile = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'runtime', 'pin-activity.yaml');
const PINS = Array.from({ length: 10 }, (_, i) => ({ pinId: `p${i}`, category: `c${i % 2}` }));

describe('tributary run (window + stream-table join + decayed counters + top-K)', function () {
  this.timeout(180_000);
  const kafka = testKafka();
  let proc: TributaryProcess | undefined;

  before(requireKafka);
  after(async () => {
    if (proc && proc.child.exitCode === null) {
      proc.child.kill('SIGKILL');
      await proc.exited;
    }
  });

  it('counts clicks per pin per minute, joined with pin info, and ranks pins per category by decayed clicks', async () => {
    const env = {
      APP: `ops-${randomUUID().slice(0, 8)}`,
      STATE_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-state-')),
      PINS: randomTopic('pins'), CLICKS: randomTopic('clicks'), WINDOWS: randomTopic('windows'), TOP: randomTopic('top'),
    };
    await createTopics(kafka, [{ topic: env.PINS, partitions: 2 }, { topic: env.CLICKS, partitions: 2 }]);
    const producer = kafka.producer(IDEMPOTENT);
    await producer.connect();
    await producer.send({ topic: env.PINS, messages: PINS.map((p) => ({ key: p.pinId, value: JSON.stringify(p) })) });

    proc = startTributary(['run', topologyFile, '--no-metrics'], env);
    await proc.waitFor(/application started/);
    // A task reads its topics in fetch order, not event-time order (no cross-topic
    // time alignment yet): let the pin table fill before the clicks that join it.
    await waitForCommitted(kafka, env.APP, env.PINS, PINS.length);
    // Pin i gets i+1 clicks in the first minute; a click on an unknown pin is dropped by the inner join.
    const clicks: Array<{ key: string; value: string }> = [];
    PINS.forEach((p, i) => {
      for (let n = 0; n <= i; n++) clicks.push({ key: p.pinId, value: JSON.stringify({ pinId: p.pinId, user: `u${n}`, ts: 1000 + n * 100 }) });
    });
    clicks.push({ key: 'nope', value: JSON.stringify({ pinId: 'nope', user: 'u0', ts: 2000 }) });
    await producer.send({ topic: env.CLICKS, messages: clicks });
    // A later click on every pin moves every task's stream time past the first window's end.
    await producer.send({ topic: env.CLICKS, messages: PINS.map((p) => ({ key: p.pinId, value: JSON.stringify({ pinId: p.pinId, user: 'late', ts: 200_000 }) })) });
    await producer.disconnect();

    const windows = await consumeMessages(kafka, env.WINDOWS, PINS.length, { timeoutMs: 90_000 });
    assert.equal(windows.length, PINS.length, `one first-minute window per pin; app output:\n${proc.output().slice(-3000)}`);
    const firstMinute = new Map<string, number>();
    for (const w of windows) {
      const key = JSON.parse(w.message.key!.toString()) as { key: string; window: { start: number; end: number } };
      assert.deepEqual(key.window, { start: 0, end: 60_000 });
      const value = JSON.parse(w.message.value!.toString());
      firstMinute.set(key.key, typeof value === 'number' ? value : value.count);
    }
    assert.deepEqual(Object.fromEntries(firstMinute), Object.fromEntries(PINS.map((p, i) => [p.pinId, i + 1])));

    const expectedTop = { c0: ['p8', 'p6', 'p4'], c1: ['p9', 'p7', 'p5'] };
    const latest = new Map<string, string>();
    await consumeMessages(kafka, env.TOP, Number.MAX_SAFE_INTEGER, {
      timeoutMs: 60_000,
      done: (received) => {
        for (const r of received) latest.set(r.message.key!.toString(), r.message.value!.toString());
        return Object.entries(expectedTop).every(([c, pins]) => rankOf(latest.get(c), pins));
      },
    });
    for (const [category, pins] of Object.entries(expectedTop)) {
      assert.ok(rankOf(latest.get(category), pins), `top pins of ${category}: ${latest.get(category)}`);
    }
    proc.child.kill('SIGTERM');
    assert.equal(await proc.exited, 0);
  });
});

async function waitForCommitted(kafka: ReturnType<typeof testKafka>, groupId: string, topic: string, total: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (let i = 0; i < 300; i++) {
      const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
      const committed = offsets[0].partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
      if (committed >= total) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`group ${groupId} did not commit ${total} records of ${topic}`);
  } finally {
    await admin.disconnect();
  }
}

/** The ranking (JSON text) names exactly `pins`, in this order, among the items. */
function rankOf(json: string | undefined, pins: readonly string[]): boolean {
  if (!json) return false;
  const positions = pins.map((p) => json.indexOf(`"${p}"`));
  const others = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p9'].filter((p) => !pins.includes(p) && json.includes(`"${p}"`));
  return positions.every((p, i) => p >= 0 && (i === 0 || p > positions[i - 1])) && others.length === 0;
}
