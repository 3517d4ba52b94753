import { strict as assert } from 'node:assert';
import type { CompiledTopology } from '../../../topology/compiled-topology';
import type { Serde } from '../../../schemas/serde';
import type { TaskStores } from '../../../runtime/state/task-stores';
import { StateStoreError } from '../../../runtime/state/errors';
import { StoreQueries, type LocalTaskView, type StoreAccess } from '../../../runtime/kafka/store-queries';
import { partitionForKey } from '../../../runtime/kafka/key-partition';
import type { MemberEndpoint } from '../../../runtime/kafka/client/group-endpoints';
import type { StandbyTaskView } from '../../../runtime/kafka/store-access';

const stringKeys: Serde<unknown> = { format: 'string', serialize: (v) => Buffer.from(String(v)), deserialize: (b) => b?.toString() };
const jsonKeys: Serde<unknown> = { format: 'json', serialize: (v) => Buffer.from(JSON.stringify(v)), deserialize: (b) => JSON.parse(String(b)) as unknown };

// Only the fields queries read.
const topology = {
  stores: {
    feeds: { name: 'feeds', kind: 'key-value', changelog: true, changelogTopic: 'app-feeds-changelog' },
    catalog: { name: 'catalog', kind: 'key-value', changelog: false, changelogTopic: '', global: { source: 'pins', topic: 'pins' } },
  },
  subTopologies: [{ id: 0, sourceTopics: ['events'], stores: ['feeds'] }],
} as unknown as CompiledTopology;

const PARTITIONS = 4;
const POSITION = [{ topic: 'events', partition: 1, committedOffset: '40', highWatermark: '42', lag: 2 }];
const partitionOf = (key: string): number => partitionForKey(Buffer.from(key), PARTITIONS);

/** A store that holds `values` (committed), as a running task's stores. */
function storesHolding(values: Record<string, unknown>, opts: { closed?: boolean } = {}): TaskStores {
  return {
    async readCommitted(name: string, key: unknown) {
      if (opts.closed) throw new StateStoreError('task 0_1 stores are closed', true, {});
      assert.equal(name, 'feeds');
      return values[String(key)];
    },
  } as unknown as TaskStores;
}

function access(over: Partial<{ local: Record<string, LocalTaskView>; standby: Record<string, StandbyTaskView>; members: MemberEndpoint[]; self: string; global: Record<string, unknown> }> = {}): StoreAccess {
  return {
    topology,
    ...(over.self !== undefined ? { advertisedEndpoint: over.self } : { advertisedEndpoint: 'me:1' }),
    members: () => over.members ?? [],
    taskCount: () => PARTITIONS,
    keySerde: (topic) => (topic === 'events' ? stringKeys : jsonKeys),
    localTask: (id) => over.local?.[id] ?? { state: 'absent' },
    standbyTask: (id) => over.standby?.[id],
    globalStores: () => ({
      has: (n: string) => n === 'catalog',
      keyValueStore: () => ({ get: async (k: unknown) => over.global?.[JSON.stringify(k)] }),
    }) as never,
  };
}

describe('StoreQueries (interactive queries)', () => {
  const key = 'u1';
  const task = `0_${partitionOf(key)}`;

  it('answers a key of a local running task from its committed state', async () => {
    const q = new StoreQueries(access({ local: { [task]: { state: 'running', stores: storesHolding({ u1: ['p1', 'p2'] }), position: async () => POSITION } } }));
    const a = await q.get('feeds', key, '/v1/stores/feeds/keys/u1');
    assert.equal(a.status, 200);
    assert.deepEqual(a.body, { store: 'feeds', key: 'u1', partition: partitionOf(key), task, endpoint: 'me:1', source: 'active', position: POSITION, value: ['p1', 'p2'] });
    const absent = await new StoreQueries(access({ local: { [task]: { state: 'running', stores: storesHolding({}), position: async () => POSITION } } })).get('feeds', key, '/x');
    assert.equal(absent.status, 404);
    assert.match(String(absent.body.error), /key not found in store 'feeds'/);
  });

  it('redirects to the endpoint that owns the key\'s partition, naming it', async () => {
    const members: MemberEndpoint[] = [{ endpoint: 'me:1', assignment: {} }, { endpoint: 'other:2', assignment: { events: [0, 1, 2, 3] } }];
    const a = await new StoreQueries(access({ members })).get('feeds', key, '/v1/stores/feeds/keys/u1');
    assert.equal(a.status, 307);
    assert.equal(a.headers?.location, 'http://other:2/v1/stores/feeds/keys/u1');
    assert.equal(a.body.owner, 'other:2');
  });

  it('answers 503 with Retry-After while the task restores, while nobody owns the partition, and when the task closed under the read', async () => {
    const restoring = await new StoreQueries(access({ local: { [task]: { state: 'restoring' } } })).get('feeds', key, '/x');
    assert.equal(restoring.status, 503);
    assert.equal(restoring.headers?.['retry-after'], '1');
    assert.match(String(restoring.body.error), new RegExp(`task ${task} is restoring store 'feeds'`));
    const orphan = await new StoreQueries(access({ members: [] })).get('feeds', key, '/x');
    assert.equal(orphan.status, 503);
    assert.match(String(orphan.body.error), /no owner yet/);
    const closed = await new StoreQueries(access({ local: { [task]: { state: 'running', stores: storesHolding({}, { closed: true }), position: async () => POSITION } } })).get('feeds', key, '/x');
    assert.equal(closed.status, 503);
  });

  it('answers from a standby copy here only when the client allows it, marked as such with the copy\'s changelog lag', async () => {
    const members: MemberEndpoint[] = [{ endpoint: 'other:2', assignment: { events: [0, 1, 2, 3] } }];
    const lagging = [{ topic: 'app-feeds-changelog', partition: partitionOf(key), committedOffset: '90', highWatermark: '95', lag: 5 }];
    const standby = { [task]: { stores: storesHolding({ u1: ['p9'] }), position: async () => lagging } };
    const q = new StoreQueries(access({ members, standby }));
    const stale = await q.get('feeds', key, '/x', { allowStandby: true });
    assert.equal(stale.status, 200);
    assert.deepEqual(stale.body, { store: 'feeds', key: 'u1', partition: partitionOf(key), task, endpoint: 'me:1', source: 'standby', position: lagging, value: ['p9'] });
    assert.equal((await q.get('feeds', key, '/x')).status, 307, 'without the permission the owner answers');
    const closed = new StoreQueries(access({ members, standby: { [task]: { stores: storesHolding({}, { closed: true }), position: async () => lagging } } }));
    assert.equal((await closed.get('feeds', key, '/x', { allowStandby: true })).status, 307, 'a copy closed under the read: the owner answers');
  });

  it('answers 421 when the owner advertises no endpoint', async () => {
    const a = await new StoreQueries(access({ members: [{ endpoint: '', assignment: { events: [0, 1, 2, 3] } }] })).get('feeds', key, '/x');
    assert.equal(a.status, 421);
    assert.match(String(a.body.error), /--advertised-endpoint/);
  });

  it('names an unknown store and a key that is not in the key format', async () => {
    const q = new StoreQueries(access());
    const unknown = await q.get('nope', key, '/x');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error, "unknown store 'nope'; stores: feeds, catalog");
    const bad = await q.get('catalog', 'not-json', '/x');
    assert.equal(bad.status, 400);
    assert.match(String(bad.body.error), /bad key for store 'catalog': 'not-json' is not JSON/);
    assert.equal(q.metadata('nope').status, 404);
  });

  it('answers global stores locally', async () => {
    const q = new StoreQueries(access({ global: { '{"id":7}': { title: 'pin 7' } } }));
    const a = await q.get('catalog', '{"id":7}', '/x');
    assert.equal(a.status, 200);
    assert.deepEqual(a.body.value, { title: 'pin 7' });
    assert.equal(a.body.source, 'global');
    assert.equal((await q.get('catalog', '{"id":8}', '/x')).status, 404);
  });

  it('describes which endpoints hold which partitions', () => {
    const members = [{ endpoint: 'me:1', assignment: { events: [3, 1] } }, { endpoint: 'other:2', assignment: { events: [0, 2] } }];
    const m = new StoreQueries(access({ members })).metadata('feeds');
    assert.equal(m.status, 200);
    assert.deepEqual(m.body.members, [{ endpoint: 'me:1', partitions: [1, 3], self: true }, { endpoint: 'other:2', partitions: [0, 2], self: false }]);
    assert.equal(m.body.partitions, 4);
    assert.deepEqual(new StoreQueries(access()).list().body.stores, [
      { store: 'feeds', kind: 'key-value', global: false, keyFormat: 'string' },
      { store: 'catalog', kind: 'key-value', global: true, keyFormat: 'json' },
    ]);
  });
});
