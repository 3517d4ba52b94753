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

  it('opens window stores and reads them through windowStore', async () => {
    const { topology } = loadTopologyText(`name: windows
sources:
  in: {topic: in, value: json}
stores:
  w: {kind: window, retention: 1h}
pipelines:
  p:
    from: in
    steps:
      - {id: hold, operator: ./operators/holds-store.js, options: {store: w}}
    to: out
sinks:
  out: {topic: out, value: json}
`, path.join(root, 'test/fixtures/topologies/inline.yaml'), { env: {} });
    const driver = await TopologyTestDriver.open(topology as CompiledTopology);
    try {
      const w = driver.windowStore<string, number>('w');
      w.put('k', 60_000, 3);
      assert.equal(await w.get('k', 60_000), 3);
      assert.throws(() => driver.store('w'), /window store, not a key-value store/);
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
