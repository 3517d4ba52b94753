import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TopologyTestDriver } from '../../../runtime/processing/topology-test-driver';
import { runTopologyTests } from '../../../runtime/processing/topology-test-runner';
import { loadTopology, loadTopologyText } from '../../../topology';

const root = path.resolve(__dirname, '../../../..');
const lookupFile = path.join(root, 'test/fixtures/runtime/global-lookup.yaml');

/** A topology whose custom step reads global store `pins` (and, with `write`, tries to write it). */
function customTopology(write: boolean): string {
  return [
    'name: gs-custom',
    'sources:',
    '  pins: {topic: pins, value: json}',
    '  events: {topic: events, value: json}',
    'stores:',
    '  pins-by-id: {global: pins}',
    'pipelines:',
    '  p:',
    '    from: events',
    '    steps:',
    '      - id: look',
    '        operator: ./operators/global-lookup.js',
    `        options: {store: pins-by-id, write: ${write}}`,
    '    to: out',
    'sinks:',
    '  out: {topic: out, value: json}',
  ].join('\n');
}

describe('TopologyTestDriver with a global store', () => {
  it('fills the store from records piped into its source, tombstones included, and steps look rows up', async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-driver-global-'));
    const driver = await TopologyTestDriver.open(lookupFile, { stateDir, env: {} });
    try {
      await driver.pipe('pins', [{ key: 'p1', value: { category: 'food' } }, { key: 'p2', value: { category: 'travel' } }]);
      await driver.pipe('clicks', [{ key: 'u1', value: { pin: 'p1' } }, { key: 'u2', value: { pin: 'p2' } }, { key: 'u3', value: { pin: 'p9' } }]);
      assert.deepEqual(driver.readOutput('enriched').map((r) => [r.key, r.value]), [
        ['u1', { pin: 'p1', pinInfo: { category: 'food' } }],
        ['u2', { pin: 'p2', pinInfo: { category: 'travel' } }],
        ['u3', { pin: 'p9', pinInfo: null }],
      ]);
      await driver.pipe('pins', [{ key: 'p1', value: null }, { key: 'p2', value: { category: 'art' } }]);
      await driver.pipe('clicks', [{ key: 'u1', value: { pin: 'p1' } }, { key: 'u2', value: { pin: 'p2' } }]);
      assert.deepEqual(driver.readOutput('enriched').map((r) => r.value), [
        { pin: 'p1', pinInfo: null },
        { pin: 'p2', pinInfo: { category: 'art' } },
      ]);
      assert.deepEqual(await driver.store('pin-index').getMany(['p1', 'p2']), [undefined, { category: 'art' }]);
      // One copy per process, beside the tasks' state, with its per-partition checkpoint.
      assert.ok(fs.existsSync(path.join(stateDir, 'global-lookup', 'global-pin-index', 'rocksdb')));
      assert.deepEqual(driver.failures, []);
    } finally {
      await driver.close();
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it("runs the file's tests: block, whose inputs fill the global store", async () => {
    const { topology, problems } = loadTopology(lookupFile, { env: {} });
    assert.ok(topology, problems.map((p) => p.message).join('; '));
    const results = await runTopologyTests(topology);
    assert.deepEqual(results.map((r) => [r.name, r.passed, r.messages]), [
      ['a click finds the pin its value names; a tombstone removes the pin', true, []],
    ]);
  });

  it('gives custom operators the store through the same key-value interface', async () => {
    const { topology, problems } = loadTopologyText(customTopology(false), path.join(root, 'test/fixtures/topologies/gs-custom.yaml'), { env: {} });
    assert.ok(topology, problems.map((p) => p.message).join('; '));
    const driver = await TopologyTestDriver.open(topology);
    try {
      await driver.pipe('pins', [{ key: 'a', value: { size: 1 } }]);
      await driver.pipe('events', [{ value: { id: 'a' } }, { value: { id: 'b' } }]);
      assert.deepEqual(driver.readOutput('out').map((r) => r.value), [{ id: 'a', found: { size: 1 } }, { id: 'b', found: null }]);
    } finally {
      await driver.close();
    }
  });

  it('refuses a write to a global store with an error that says it is read-only', async () => {
    const { topology, problems } = loadTopologyText(customTopology(true), path.join(root, 'test/fixtures/topologies/gs-custom.yaml'), { env: {} });
    assert.ok(topology, problems.map((p) => p.message).join('; '));
    const driver = await TopologyTestDriver.open(topology);
    try {
      await driver.pipe('events', [{ value: { id: 'a' } }]);
      assert.equal(driver.failures.length, 1);
      assert.match(String(driver.failures[0].error), /store pins-by-id is a global store, read-only to steps \(put refused\): it is filled from topic pins/);
      assert.equal(await driver.store('pins-by-id').get('a'), undefined);
    } finally {
      await driver.close();
    }
  });
});
