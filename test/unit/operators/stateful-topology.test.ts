import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TopologyTestDriver } from '../../../runtime/processing/topology-test-driver';

/*
 * The stateful operators inside real topologies: TopologyTestDriver runs the
 * TaskPipeline over real RocksDB stores (TaskStores). Restarts close the
 * driver and open a new one on the same state directory.
 */
const TOPOLOGY = `
name: ops-stateful
kafka:
  brokers: 127.0.0.1:9092
sources:
  engagements: { topic: engagements, key: string, value: json }
  pins: { topic: pins, key: string, value: json }
stores:
  pins: { changelog: false }
  action-counts: { changelog: false }
  best-pins: { changelog: false }
  clicks-per-window: { changelog: false }
  settle: { changelog: false }
pipelines:
  pin-table:
    from: pins
    steps:
      - id: pins-upsert
        table-materialize: { store: pins }
  features:
    from: engagements
    steps:
      - id: with-pin
        join-stream-table: { table: pins, key: value.pinId, into: pin, mode: inner }
      - id: counts
        aggregate-decayed-count: { store: action-counts, halfLives: [1h, 1d], by: value.action, into: counts }
      - id: rank
        top-k: { k: 2, item: value.pinId, score: value.pin.quality, store: best-pins, into: top }
    to: features-out
  windows:
    from: engagements
    steps:
      - id: clicks
        window-tumbling: { store: clicks-per-window, size: 10s, aggregate: { fn: count }, emit: final, lateTo: late-out }
    to: window-out
  settled:
    from: engagements
    steps:
      - id: settle-user
        debounce: { store: settle, interval: 5s, time: wall }
    to: settled-out
sinks:
  features-out: { topic: f-out, value: json }
  window-out: { topic: w-out, key: json, value: json }
  late-out: { topic: late-out, value: json }
  settled-out: { topic: s-out, value: json }
`;

describe('stateful operators in a topology (TopologyTestDriver, RocksDB stores)', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ops-stateful-'));
    file = join(dir, 'topology.yaml');
    await writeFile(file, TOPOLOGY);
  });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  it('joins engagements with pins, decays counters per action and keeps the top pins per user', async () => {
    const driver = await TopologyTestDriver.open(file, { stateDir: join(dir, 'state') });
    try {
      await driver.pipe('pins', [{ key: 'p1', value: { quality: 0.5 } }, { key: 'p2', value: { quality: 0.9 } }, { key: 'p3', value: { quality: 0.7 } }]);
      await driver.pipe('engagements', [
        { key: 'u1', value: { pinId: 'p1', action: 'click' }, timestamp: 0 },
        { key: 'u1', value: { pinId: 'p9', action: 'click' }, timestamp: 1000 },
        { key: 'u1', value: { pinId: 'p2', action: 'click' }, timestamp: 3_600_000 },
        { key: 'u1', value: { pinId: 'p3', action: 'save' }, timestamp: 3_600_000 },
      ]);
      const out = driver.readOutput('features-out');
      assert.equal(out.length, 3, 'the engagement with an unknown pin is dropped by the inner join');
      const last = out[2]!.value as { counts: { counts: Record<string, Record<string, number>> }; top: Array<{ item: string }> };
      assert.equal(last.counts.counts.click!['1h'], 1.5);
      assert.deepEqual(last.counts.counts.save, { '1h': 1, '1d': 1 });
      assert.deepEqual(last.top.map((e) => e.item), ['p2', 'p3']);
    } finally {
      await driver.close();
    }
  });

  it('restores a window after a restart in its middle and closes it with the right count', async () => {
    const state = join(dir, 'state');
    let driver = await TopologyTestDriver.open(file, { stateDir: state });
    try {
      await driver.pipe('engagements', [
        { key: 'u1', value: { pinId: 'p1', action: 'click' }, timestamp: 1000 },
        { key: 'u1', value: { pinId: 'p2', action: 'click' }, timestamp: 4000 },
        { key: 'u2', value: { pinId: 'p2', action: 'click' }, timestamp: 5000 },
      ]);
      assert.deepEqual(driver.readOutput('window-out'), []);
    } finally {
      await driver.close();
    }
    driver = await TopologyTestDriver.open(file, { stateDir: state });
    try {
      await driver.pipe('engagements', [
        { key: 'u1', value: { pinId: 'p3', action: 'click' }, timestamp: 9999 },
        { key: 'u1', value: { pinId: 'p4', action: 'click' }, timestamp: 10_000 },
        { key: 'u1', value: { pinId: 'p5', action: 'click' }, timestamp: 2000 },
        { key: 'u3', value: { pinId: 'p5', action: 'click' }, timestamp: 20_000 },
      ]);
      const windows = driver.readOutput('window-out').map((r) => `${JSON.stringify(r.key)}=${String(r.value)}`);
      assert.deepEqual(windows, [
        '{"key":"u1","window":{"start":0,"end":10000}}=3',
        '{"key":"u2","window":{"start":0,"end":10000}}=1',
        '{"key":"u1","window":{"start":10000,"end":20000}}=1',
      ]);
      assert.deepEqual(driver.readOutput('late-out').map((r) => r.timestamp), [2000]);
    } finally {
      await driver.close();
    }
  });

  it('emits a debounced record on a wall-clock punctuation when the key has gone quiet', async () => {
    const driver = await TopologyTestDriver.open(file, { stateDir: join(dir, 'state'), wallClockMs: 0 });
    try {
      await driver.pipe('engagements', [{ key: 'u1', value: { pinId: 'p1', action: 'click' }, timestamp: 1 }, { key: 'u1', value: { pinId: 'p2', action: 'save' }, timestamp: 2 }]);
      await driver.advanceWallClock(4999);
      assert.deepEqual(driver.readOutput('settled-out'), []);
      await driver.advanceWallClock(1);
      assert.deepEqual(driver.readOutput('settled-out').map((r) => (r.value as { pinId: string }).pinId), ['p2']);
    } finally {
      await driver.close();
    }
  });
});
