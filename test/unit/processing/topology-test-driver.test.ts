import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { peekOutput } from '../../../operators/peek';
import { TopologyTestDriver } from '../../../runtime/processing/topology-test-driver';
import { runTopologyTests } from '../../../runtime/processing/topology-test-runner';
import { loadTopology, loadTopologyText, type CompiledTopology } from '../../../topology';

const root = path.resolve(__dirname, '../../../..');

describe('TopologyTestDriver', () => {
  it('runs a multi-step topology with a repartition and a RocksDB store, then reads outputs and the store', async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-driver-'));
    const driver = await TopologyTestDriver.open(path.join(root, 'examples/word-count.yaml'), { stateDir, env: {} });
    try {
      await driver.pipe('lines', [{ key: 'l1', value: { text: 'a b a' }, timestamp: 10 }]);
      await driver.pipe('lines', [{ key: 'l2', value: { text: 'B  c' }, timestamp: 20 }]);
      assert.deepEqual(driver.readOutput('counts-out').map((r) => [r.key, r.value, r.timestamp]), [
        ['a', { key: 'a', count: 1 }, 10], ['b', { key: 'b', count: 1 }, 10], ['a', { key: 'a', count: 2 }, 10],
        ['b', { key: 'b', count: 2 }, 20], ['c', { key: 'c', count: 1 }, 20],
      ]);
      assert.deepEqual(driver.readOutput('counts-out'), [], 'reading takes the records');
      const store = driver.store<string, number>('word-counts');
      assert.deepEqual(await store.getMany(['a', 'b', 'c', 'd']), [2, 2, 1, undefined]);
      // The real store layout: one RocksDB instance per task under <stateDir>/<app>/<task>.
      assert.ok(fs.existsSync(path.join(stateDir, 'word-count', '1_0', 'rocksdb')));
      assert.deepEqual(driver.failures, []);
    } finally {
      await driver.close();
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('drops a rejected batch\'s store writes: the task is rebuilt from its committed state', async () => {
    // word-count with a guard after the count that fails the batch once a word reaches 3.
    const text = fs.readFileSync(path.join(root, 'examples/word-count.yaml'), 'utf8')
      .replace(/\ntests:[\s\S]*$/, '\n')
      .replace('    to: counts-out', '      - {id: guard, onError: fail, filter: {expression: \"value.count < 3 || value.nope\"}}\n    to: counts-out');
    const { topology, problems } = loadTopologyText(text, path.join(root, 'examples/word-count-guarded.yaml'), { env: {} });
    assert.ok(topology, problems.map((p) => p.message).join('; '));
    const driver = await TopologyTestDriver.open(topology);
    try {
      await driver.pipe('lines', [{ key: 'l1', value: { text: 'a a' }, timestamp: 10 }]);
      await assert.rejects(driver.pipe('lines', [{ key: 'l2', value: { text: 'b a' }, timestamp: 20 }]), /step guard failed/);
      const store = driver.store<string, number>('word-counts');
      assert.deepEqual(await store.getMany(['a', 'b']), [2, undefined], 'the failed batch counted b and a third a; neither may stay');
      driver.readOutput('counts-out');
      await driver.pipe('lines', [{ key: 'l3', value: { text: 'b' }, timestamp: 30 }]);
      assert.deepEqual(driver.readOutput('counts-out').map((r) => r.value), [{ key: 'b', count: 1 }]);
    } finally {
      await driver.close();
    }
  });

  it('keeps store state across batches and restarts on the same state directory', async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-driver-'));
    try {
      const first = await TopologyTestDriver.open(path.join(root, 'examples/repartition.yaml'), { stateDir, env: {} });
      const save = (user: string, pin: string, t: number) => ({
        key: user, value: { eventId: `${user}${t}`, userId: user, pinId: pin, action: 'save', eventTime: t, surface: 'home', dwellMs: 0, attributes: {} },
      });
      await first.pipe('engagements', [save('u1', 'p1', 1), save('u2', 'p1', 2)]);
      await first.close();
      const second = await TopologyTestDriver.open(path.join(root, 'examples/repartition.yaml'), { stateDir, env: {} });
      await second.pipe('engagements', [save('u3', 'p1', 3)]);
      assert.deepEqual(second.readOutput('pin-save-counts').map((r) => [r.key, r.value, r.timestamp]), [['p1', 3, 3]]);
      assert.equal(await second.store('saves-by-pin').get('p1'), 3);
      await second.close();
    } finally {
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('moves the wall clock and stream time for punctuation', async () => {
    const { topology } = loadTopologyText(`name: ticks
sources:
  in: {topic: in, value: json}
pipelines:
  p:
    from: in
    steps:
      - {id: tick, operator: ./operators/tick.js}
    to: out
sinks:
  out: {topic: out, value: json}
`, path.join(root, 'test/fixtures/topologies/inline.yaml'), { env: {} });
    const driver = await TopologyTestDriver.open(topology as CompiledTopology, { wallClockMs: 1000 });
    try {
      await driver.pipe('in', [{ value: 1, timestamp: 50 }]);
      await driver.advanceWallClock(500);
      await driver.advanceStreamTime(80);
      const values = driver.readOutput('out').map((r) => r.value);
      assert.deepEqual(values, [1, { wall: 1000, stream: 50 }, { wall: 1500, stream: 50 }, { wall: 1500, stream: 80 }]);
      assert.equal(driver.wallClock, 1500);
    } finally {
      await driver.close();
    }
  });

  it('collects dead-lettered records and names unknown sources, sinks and stores', async () => {
    const driver = await TopologyTestDriver.open(path.join(root, 'test/fixtures/topologies/valid/linear.yaml'));
    const printed: string[] = [];
    const write = peekOutput.write;
    peekOutput.write = (line) => { printed.push(line); };
    try {
      await driver.pipe('clicks', [{ value: { surface: 'home', user: 'u', pin: 'p', at: 5 } }, { value: { surface: 'home' } }]);
      assert.deepEqual(driver.readOutput('home-clicks').map((r) => [r.value, r.timestamp]), [[{ user: 'u', pin: 'p' }, 5]]);
      assert.deepEqual(driver.failures.map((f) => f.stepId), ['clicks']);
      assert.deepEqual(printed, ['debug {"key":null,"value":{"user":"u","pin":"p"},"timestamp":5}\n']);
      await assert.rejects(driver.pipe('nope', []), /no source 'nope'/);
      assert.throws(() => driver.readOutput('nope'), /no sink 'nope'/);
      assert.throws(() => driver.store('nope'), /no store 'nope'/);
    } finally {
      peekOutput.write = write;
      await driver.close();
    }
  });

  it('closes the last window (emit: final) only when the input is flushed', async () => {
    const driver = await TopologyTestDriver.open(path.join(root, 'test/fixtures/topologies/valid/clicks-per-minute.yaml'), { env: {} });
    const click = (user: string, t: number) => ({ key: user, value: { pin: 'p' }, timestamp: t });
    const windows = () => driver.readOutput('user-minutes').map((r) => [(r.key as { key: string }).key, (r.key as { window: { start: number } }).window.start, r.value]);
    try {
      await driver.pipe('clicks', [click('u1', 0), click('u1', 30_000), click('u2', 45_000), click('u1', 70_000)]);
      assert.deepEqual(windows(), [['u1', 0, 2], ['u2', 0, 1]], 'stream time 70s closes [0, 1m) (end + 10s grace) only');
      await driver.advanceWallClock(3_600_000);
      assert.deepEqual(windows(), [], 'the wall clock does not move event time');
      await driver.flush();
      assert.deepEqual(windows(), [['u1', 60_000, 1]]);
      await driver.pipe('clicks', [click('u1', 200_000)]);
      assert.deepEqual(driver.readOutput('late-clicks').map((r) => r.timestamp), [200_000], 'after a flush every record is late');
      assert.deepEqual(driver.failures, []);
    } finally {
      await driver.close();
    }
  });

  it('advanceStreamTime closes the windows whose end plus grace it reaches, and no others', async () => {
    const driver = await TopologyTestDriver.open(path.join(root, 'test/fixtures/topologies/valid/clicks-per-minute.yaml'), { env: {} });
    const starts = () => driver.readOutput('user-minutes').map((r) => (r.key as { window: { start: number } }).window.start);
    try {
      await driver.pipe('clicks', [{ key: 'u1', value: {}, timestamp: 10_000 }, { key: 'u1', value: {}, timestamp: 65_000 }, { key: 'u1', value: {}, timestamp: 125_000 }]);
      assert.deepEqual(starts(), [0], 'the record at 125s closed [0, 1m) (at 70s: end + 10s grace)');
      await driver.advanceStreamTime(129_999);
      assert.deepEqual(starts(), [], '[1m, 2m) closes at 130s');
      await driver.advanceStreamTime(130_000);
      assert.deepEqual(starts(), [60_000]);
      await driver.advanceStreamTime(100_000);
      assert.deepEqual(starts(), [], 'stream time never goes back');
      await driver.pipe('clicks', [{ key: 'u2', value: {}, timestamp: 110_000 }]);
      assert.equal(driver.readOutput('late-clicks').length, 1, 'a record older than the advanced stream time is late');
    } finally {
      await driver.close();
    }
  });

  it('flushes windows behind repartitions, upstream tasks first', async () => {
    // Clicks per campaign and minute (after a key change), then minutes with clicks per campaign and 5 minutes (after another).
    const { topology, problems } = loadTopologyText(`name: two-windows
sources:
  clicks: {topic: clicks, value: json}
stores:
  per-minute: {}
  per-five: {}
pipelines:
  p:
    from: clicks
    steps:
      - {id: by-campaign, select-key: {expression: value.campaign}}
      - {id: minutes, window-tumbling: {store: per-minute, size: 1m, aggregate: {fn: count}, emit: final}}
      - {id: by-campaign-again, select-key: {expression: key.key}}
      - {id: fives, window-tumbling: {store: per-five, size: 5m, aggregate: {fn: sum}, emit: final}}
    to: out
sinks:
  out: {topic: out, key: json, value: json}
`, path.join(root, 'test/fixtures/topologies/inline.yaml'), { env: {} });
    assert.ok(topology, problems.map((p) => p.message).join('; '));
    assert.equal(topology.subTopologies.length, 3);
    const driver = await TopologyTestDriver.open(topology);
    try {
      const click = (campaign: string, t: number) => ({ key: 'u', value: { campaign }, timestamp: t });
      await driver.pipe('clicks', [click('c1', 1_000), click('c1', 2_000), click('c2', 3_000), click('c1', 61_000)]);
      assert.deepEqual(driver.readOutput('out'), []);
      await driver.flush();
      assert.deepEqual(driver.readOutput('out').map((r) => [(r.key as { key: string }).key, r.value]), [['c1', 3], ['c2', 1]]);
      assert.deepEqual(driver.failures, []);
    } finally {
      await driver.close();
    }
  });

  it('refuses a topology file with problems, listing them', async () => {
    await assert.rejects(TopologyTestDriver.open(path.join(root, 'test/fixtures/topologies/invalid/07-unknown-source.yaml')),
      /07-unknown-source\.yaml:8:11 unknown-reference/);
  });
});

describe('topology tests: blocks', () => {
  for (const example of ['word-count', 'branching', 'repartition']) {
    it(`passes the tests in examples/${example}.yaml`, async () => {
      const { topology } = loadTopology(path.join(root, `examples/${example}.yaml`), { env: {} });
      const results = await runTopologyTests(topology as CompiledTopology);
      assert.ok(results.length > 0);
      for (const r of results) assert.deepEqual(r.messages, [], r.name);
    });
  }

  it('passes the tests of a windowed topology that flush or advance stream time', async () => {
    const { topology } = loadTopology(path.join(root, 'test/fixtures/topologies/valid/clicks-per-minute.yaml'), { env: {} });
    const results = await runTopologyTests(topology as CompiledTopology);
    assert.equal(results.length, 2);
    for (const r of results) assert.deepEqual(r.messages, [], r.name);
  });

  it('misses the last window of a test without flush: true', async () => {
    const text = fs.readFileSync(path.join(root, 'test/fixtures/topologies/valid/clicks-per-minute.yaml'), 'utf8').replace('    flush: true\n', '');
    const { topology } = loadTopologyText(text, path.join(root, 'test/fixtures/topologies/valid/clicks-per-minute.yaml'), { env: {} });
    assert.equal(topology?.tests[0].flush, false);
    const [result] = await runTopologyTests(topology as CompiledTopology);
    assert.deepEqual(result.messages, ['user-minutes: expected 3 records, got 2']);
  });

  it('reports what differs when an expectation is wrong', async () => {
    const text = fs.readFileSync(path.join(root, 'examples/word-count.yaml'), 'utf8')
      .replace('{ key: dog, value: { key: dog, count: 1 } }', '{ key: dog, value: { key: dog, count: 7 } }')
      .replace('{ store: word-counts, key: cat, value: 1 }', '{ store: word-counts, key: cat, value: 5 }');
    const { topology } = loadTopologyText(text, path.join(root, 'examples/word-count.yaml'), { env: {} });
    const [result] = await runTopologyTests(topology as CompiledTopology);
    assert.equal(result.passed, false);
    assert.deepEqual(result.messages, [
      'counts-out[3].value: expected {"key":"dog","count":7}, got {"key":"dog","count":1}',
      'store word-counts["cat"]: expected 5, got 1',
    ]);
  });
});
