import { strict as assert } from 'node:assert';
import type { CompiledTopology } from '../../../topology/compiled-topology';
import type { Serde } from '../../../schemas/serde';
import { TaskStores } from '../../../runtime/state/task-stores';
import { StoreQueries, type LocalTaskView, type StoreAccess } from '../../../runtime/kafka/store-queries';
import { MAX_SCAN_LIMIT } from '../../../runtime/kafka/store-scans';
import type { MemberEndpoint } from '../../../runtime/kafka/client/group-endpoints';
import { tempStateDir } from '../state/temp-state-dir';

const jsonKeys: Serde<unknown> = { format: 'json', serialize: (v) => Buffer.from(JSON.stringify(v)), deserialize: (b) => JSON.parse(String(b)) as unknown };

// Only the fields queries read: one store over 4 partitions of `events` (JSON keys).
const topology = {
  stores: { counts: { name: 'counts', kind: 'key-value', changelog: false, changelogTopic: '' } },
  subTopologies: [{ id: 1, sourceTopics: ['events'], stores: ['counts'] }],
} as unknown as CompiledTopology;

const position = (partition: number) => [{ topic: 'events', partition, committedOffset: '10', highWatermark: '15', lag: 5 }];

describe('StoreQueries.scan (range and prefix scans)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const open: TaskStores[] = [];
  let queries: StoreQueries;
  /** Words held by the two partitions of this process (0 and 2); 1 is elsewhere, 3 restores here. */
  const held: Record<number, string[]> = { 0: ['apple', 'cherry', 'egg', 'grape'], 2: ['banana', 'date', 'fig', 'apricot'] };

  before(async () => {
    ({ dir, cleanup } = await tempStateDir());
    const local: Record<string, LocalTaskView> = { '1_3': { state: 'restoring' } };
    for (const [partition, words] of Object.entries(held)) {
      const stores = await TaskStores.open({ stateDir: dir, appId: 'app', taskId: `1_${partition}`, stores: [{ name: 'counts', changelog: false }] });
      open.push(stores);
      words.forEach((w, i) => stores.keyValueStore('counts').put(w, i + 1));
      await stores.flush();
      await stores.commitApplied([]);
      local[`1_${partition}`] = { state: 'running', stores, position: async () => position(Number(partition)) };
    }
    const members: MemberEndpoint[] = [{ endpoint: 'me:1', assignment: { events: [0, 2, 3] } }, { endpoint: 'other:2', assignment: { events: [1] } }];
    const access: StoreAccess = {
      topology,
      advertisedEndpoint: 'me:1',
      members: () => members,
      taskCount: () => 4,
      keySerde: () => jsonKeys,
      localTask: (id) => local[id] ?? { state: 'absent' },
      globalStores: () => undefined,
    };
    queries = new StoreQueries(access);
  });
  after(async () => {
    for (const s of open) await s.close();
    await cleanup();
  });

  const scan = (kind: 'range' | 'prefix', query: string, prefix?: string) =>
    queries.scan({ store: 'counts', kind, ...(prefix !== undefined ? { prefix } : {}), params: new URLSearchParams(query), path: kind === 'range' ? '/v1/stores/counts/range' : `/v1/stores/counts/prefix/${encodeURIComponent(prefix ?? '')}` });
  const keysOf = (body: Record<string, unknown>) => (body.entries as Array<{ key: unknown }>).map((e) => e.key);

  it('merges the local partitions in key order and names who holds the rest', async () => {
    const a = await scan('range', 'from=%22b%22&to=%22f%22');
    assert.equal(a.status, 200);
    assert.deepEqual(keysOf(a.body), ['banana', 'cherry', 'date', 'egg']);
    assert.deepEqual(a.body.entries, [{ key: 'banana', value: 1 }, { key: 'cherry', value: 2 }, { key: 'date', value: 2 }, { key: 'egg', value: 3 }]);
    assert.deepEqual(a.body.covered, [
      { partition: 0, task: '1_0', source: 'active', position: position(0) },
      { partition: 2, task: '1_2', source: 'active', position: position(2) },
    ]);
    assert.deepEqual(a.body.elsewhere, [{ endpoint: 'other:2', partitions: [1], url: 'http://other:2/v1/stores/counts/range?from=%22b%22&to=%22f%22' }]);
    assert.deepEqual(a.body.unavailable, [{ partition: 3, reason: 'task 1_3 is restoring here' }]);
    assert.equal(a.body.complete, false);
    assert.equal(a.body.next, null);
    assert.equal(a.body.limit, 100);
  });

  it('pages: a limit bounds each answer and next/nextPath resume after its last key', async () => {
    const seen: unknown[] = [];
    let query = 'limit=3';
    for (let pages = 0; pages < 5; pages++) {
      const a = await scan('range', query);
      assert.equal(a.status, 200, JSON.stringify(a.body));
      const keys = keysOf(a.body);
      assert.ok(keys.length <= 3);
      seen.push(...keys);
      if (a.body.next === null) break;
      const nextPath = String(a.body.nextPath);
      assert.ok(nextPath.startsWith('/v1/stores/counts/range?'));
      query = nextPath.slice(nextPath.indexOf('?') + 1);
      assert.equal(new URLSearchParams(query).get('after'), a.body.next);
    }
    assert.deepEqual(seen, [...held[0], ...held[2]].sort());
  });

  it('scans a prefix, given in the key format', async () => {
    const a = await scan('prefix', 'limit=10', '"ap"');
    assert.equal(a.status, 200);
    assert.deepEqual(keysOf(a.body), ['apple', 'apricot']);
    assert.equal(a.body.prefix, '"ap"');
  });

  it('refuses bad scans with a 400 that says what is wrong', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['range', `limit=${MAX_SCAN_LIMIT + 1}`, /limit must be a whole number from 1 to 1000, not '1001'/],
      ['range', 'limit=0', /limit must be a whole number from 1 to 1000/],
      ['range', 'limit=ten', /not 'ten'/],
      ['range', 'from=%22b%22&to=%22a%22', /'to' must sort after 'from'/],
      ['range', 'from=b', /'from': 'b' is not JSON/],
      ['range', 'form=%22a%22', /unknown parameter 'form'; a range scan takes from, to, limit, after/],
      ['range', 'limit=2&limit=3', /parameter 'limit' is given more than once/],
      ['range', 'after=!!', /'after' must be the 'next' token of an earlier page/],
      ['range', 'after=AAAA', /'after' must be the 'next' token of an earlier page; 'AAAA' is not one/],
      ['prefix', 'from=%22a%22', /unknown parameter 'from'; a prefix scan takes limit, after/],
    ];
    for (const [kind, query, expected] of cases) {
      const a = await scan(kind as 'range' | 'prefix', query, kind === 'prefix' ? '"a"' : undefined);
      assert.equal(a.status, 400, `${kind}?${query}: ${JSON.stringify(a.body)}`);
      assert.match(String(a.body.error), expected, `${kind}?${query}`);
      assert.match(String(a.body.error), new RegExp(`^bad ${kind} scan of store 'counts': `));
    }
    const unknown = await queries.scan({ store: 'nope', kind: 'range', params: new URLSearchParams(), path: '/x' });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error, "unknown store 'nope'; stores: counts");
  });

  it('scans a global store from the process asked, paging through it', async () => {
    const catalog = open[0].keyValueStore('counts');
    const globalTopology = { stores: { catalog: { name: 'catalog', kind: 'key-value', changelog: false, changelogTopic: '', global: { source: 'pins', topic: 'pins' } } }, subTopologies: [] } as unknown as CompiledTopology;
    const globalQueries = new StoreQueries({
      topology: globalTopology, advertisedEndpoint: 'me:1', members: () => [], taskCount: () => undefined, keySerde: () => jsonKeys,
      localTask: () => ({ state: 'absent' }), globalStores: () => ({ has: (n: string) => n === 'catalog', keyValueStore: () => catalog }) as never,
    });
    const seen: unknown[] = [];
    let query = 'limit=2';
    for (let pages = 0; pages < 5; pages++) {
      const a = await globalQueries.scan({ store: 'catalog', kind: 'range', params: new URLSearchParams(query), path: '/v1/stores/catalog/range' });
      assert.equal(a.status, 200, JSON.stringify(a.body));
      assert.equal(a.body.source, 'global');
      seen.push(...keysOf(a.body));
      if (a.body.next === null) break;
      query = String(a.body.nextPath).split('?')[1];
    }
    assert.deepEqual(seen, [...held[0]].sort());
    const prefixed = await globalQueries.scan({ store: 'catalog', kind: 'prefix', prefix: '"g"', params: new URLSearchParams(), path: '/x' });
    assert.deepEqual(keysOf(prefixed.body), ['grape']);
  });
});
