import { strict as assert } from 'node:assert';
import type { CompiledTopology } from '../../../topology/compiled-topology';
import type { Serde } from '../../../schemas/serde';
import { TaskStores } from '../../../runtime/state/task-stores';
import { StoreQueries, type LocalTaskView } from '../../../runtime/kafka/store-queries';
import { partitionForKey } from '../../../runtime/kafka/key-partition';
import type { MemberEndpoint } from '../../../runtime/kafka/client/group-endpoints';
import { emptyUserFeatures } from '../../../examples/home-feed/lib/user-features';
import { feedAnswer } from '../../../examples/home-feed/feed-queries';
import { tempStateDir } from '../state/temp-state-dir';

const stringKeys: Serde<unknown> = { format: 'string', serialize: (v) => Buffer.from(String(v)), deserialize: (b) => b?.toString() };
const topology = {
  stores: { 'user-features': { name: 'user-features', kind: 'key-value', changelog: false, changelogTopic: '' } },
  subTopologies: [{ id: 0, sourceTopics: ['engagements'], stores: ['user-features'] }],
} as unknown as CompiledTopology;
const PARTITIONS = 2;

describe('feedAnswer (the flagship\'s GET /feeds/{userId})', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let stores: TaskStores;
  let queries: StoreQueries;
  /** Users held here: all on partition `here`; `elsewhere` is a user of the other partition. */
  let here: number;
  let elsewhere: string;
  /** A user held here with features but no recommendation yet; `unknown`, held here, has no features. */
  let quiet: string;
  let unknown: string;

  before(async () => {
    ({ dir, cleanup } = await tempStateDir());
    here = partitionForKey(Buffer.from('u1'), PARTITIONS);
    elsewhere = ['u2', 'u3', 'u4', 'u5', 'u 6'].find((u) => partitionForKey(Buffer.from(u), PARTITIONS) !== here)!;
    const heldHere = ['u7', 'u8', 'u9', 'u10', 'u11', 'u12'].filter((u) => partitionForKey(Buffer.from(u), PARTITIONS) === here);
    [quiet, unknown] = heldHere;
    assert.ok(unknown !== undefined, 'two more users on this partition');
    stores = await TaskStores.open({ stateDir: dir, appId: 'app', taskId: `0_${here}`, stores: [{ name: 'user-features', changelog: false }] });
    const ranked = { ...emptyUserFeatures(4), version: 3, lastTop: ['p9', 'p2', 'p5'], lastHash: 'abc123' };
    stores.keyValueStore('user-features').put('u1', ranked);
    stores.keyValueStore('user-features').put(quiet, emptyUserFeatures(4));
    await stores.flush();
    await stores.commitApplied([]);
    const local: Record<string, LocalTaskView> = { [`0_${here}`]: { state: 'running', stores, position: async () => [] } };
    const members: MemberEndpoint[] = [{ endpoint: 'me:1', assignment: { engagements: [here] } }, { endpoint: 'other:2', assignment: { engagements: [1 - here] } }];
    queries = new StoreQueries({
      topology, advertisedEndpoint: 'me:1', members: () => members, taskCount: () => PARTITIONS,
      keySerde: () => stringKeys, localTask: (id) => local[id] ?? { state: 'absent' }, globalStores: () => undefined,
    });
  });
  after(async () => {
    await stores.close();
    await cleanup();
  });

  it('answers the ranked pin ids, version and hash the user\'s last recommendation carried', async () => {
    const a = await feedAnswer(queries, 'u1');
    assert.equal(a.status, 200);
    assert.deepEqual(a.body, { userId: 'u1', version: 3, items: ['p9', 'p2', 'p5'], contentHash: 'abc123', partition: here, task: `0_${here}`, endpoint: 'me:1', source: 'active', position: [] });
  });

  it('answers 404 for a user without features and for one with features but no recommendation yet', async () => {
    const none = await feedAnswer(queries, unknown);
    assert.equal(none.status, 404);
    assert.match(String(none.body.error), new RegExp(`no feed for user '${unknown}': the user has no features yet`));
    const empty = await feedAnswer(queries, quiet);
    assert.equal(empty.status, 404);
    assert.match(String(empty.body.error), new RegExp(`no feed for user '${quiet}' yet: nothing was recommended`));
  });

  it('redirects a user held by the other process to that process\'s /feeds path', async () => {
    const a = await feedAnswer(queries, elsewhere);
    assert.equal(a.status, 307);
    assert.equal(a.headers?.location, `http://other:2/feeds/${encodeURIComponent(elsewhere)}`);
    assert.equal(a.body.owner, 'other:2');
    assert.equal(a.body.userId, elsewhere);
  });
});
