import { strict as assert } from 'node:assert';
import { keyRangeBytes, type KeyRange } from '../../../runtime/state/committed-scan';
import { KeyRangeError } from '../../../runtime/state/errors';
import { structuredKeySerde } from '../../../runtime/state/serde-structured-key';
import { TaskStores } from '../../../runtime/state/task-stores';
import { tempStateDir } from './temp-state-dir';

describe('TaskStores.scanCommitted (range and prefix scans for interactive queries)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let stores: TaskStores;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempStateDir());
    stores = await TaskStores.open({ stateDir: dir, appId: 'app', taskId: '0_0', stores: [{ name: 'names', changelog: false }, { name: 'other', changelog: false }] });
  });
  afterEach(async () => {
    await stores.close();
    await cleanup();
  });

  // Code point order, which UTF-16 comparison (JS `<`) gets wrong for U+E000..U+FFFF against
  // astral characters: '\uFFFD' < '😀' by code point, '😀' < '\uFFFD' by UTF-16 unit.
  const KEYS = ['', 'a', 'a\u0000', 'a\u0001', 'a\u0002', 'ab', 'abc', 'b', 'ba', 'é', '\uFFFD', '😀'];

  async function commitKeys(keys: readonly string[]): Promise<void> {
    const names = stores.keyValueStore<string, number>('names');
    keys.forEach((k, i) => names.put(k, i));
    stores.keyValueStore('other').put('a', 'not in names');
    await stores.flush();
    await stores.commitApplied([]);
  }

  async function keysOf(range: KeyRange, limit = 100): Promise<{ keys: unknown[]; more: boolean }> {
    const page = await stores.scanCommitted('names', range, limit);
    return { keys: page.entries.map((e) => e.key), more: page.more };
  }

  it('reads every committed key of the store in code point order, none of another store', async () => {
    await commitKeys([...KEYS].reverse());
    assert.deepEqual((await keysOf({})).keys, KEYS);
  });

  it('takes from inclusive and to exclusive, in the same order', async () => {
    await commitKeys(KEYS);
    assert.deepEqual((await keysOf({ from: 'a', to: 'b' })).keys, ['a', 'a\u0000', 'a\u0001', 'a\u0002', 'ab', 'abc']);
    assert.deepEqual((await keysOf({ from: 'ab' })).keys, ['ab', 'abc', 'b', 'ba', 'é', '\uFFFD', '😀']);
    assert.deepEqual((await keysOf({ to: 'a\u0001' })).keys, ['', 'a', 'a\u0000']);
    assert.deepEqual((await keysOf({ from: '\uFFFD', to: '😀' })).keys, ['\uFFFD']);
  });

  it('scans a prefix: every key that starts with it, and only those', async () => {
    await commitKeys(KEYS);
    assert.deepEqual((await keysOf({ prefix: 'a' })).keys, ['a', 'a\u0000', 'a\u0001', 'a\u0002', 'ab', 'abc']);
    assert.deepEqual((await keysOf({ prefix: 'ab' })).keys, ['ab', 'abc']);
    assert.deepEqual((await keysOf({ prefix: 'c' })).keys, []);
  });

  it('stops at the limit, says more remain, and resumes after the last key given', async () => {
    await commitKeys(KEYS);
    const seen: unknown[] = [];
    let after: Buffer | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await stores.scanCommitted('names', { from: 'a', ...(after ? { after } : {}) }, 4);
      assert.ok(page.entries.length <= 4);
      seen.push(...page.entries.map((e) => e.key));
      if (!page.more) break;
      after = page.entries[page.entries.length - 1].order;
    }
    assert.deepEqual(seen, KEYS.slice(1));
    const exact = await keysOf({ prefix: 'ab' }, 2);
    assert.deepEqual(exact, { keys: ['ab', 'abc'], more: false }, 'a page that ends the range says no more');
  });

  it('sees committed state only: writes not yet committed are not scanned', async () => {
    await commitKeys(['a', 'b']);
    stores.keyValueStore('names').put('c', 3);
    stores.keyValueStore('names').delete('a');
    assert.deepEqual((await keysOf({})).keys, ['a', 'b']);
    await stores.flush();
    await stores.commitApplied([]);
    assert.deepEqual((await keysOf({})).keys, ['b', 'c']);
  });

  it('refuses ranges that cannot be scanned, saying why', () => {
    const bad = (range: KeyRange): string => {
      try {
        keyRangeBytes(structuredKeySerde, range);
      } catch (error) {
        assert.ok(error instanceof KeyRangeError);
        assert.equal(error.retriable, false);
        return error.message;
      }
      return 'accepted';
    };
    assert.equal(bad({ from: 'b', to: 'a' }), "'to' must sort after 'from' (from is inclusive, to exclusive)");
    assert.equal(bad({ from: 'a', to: 'a' }), "'to' must sort after 'from' (from is inclusive, to exclusive)");
    assert.equal(bad({ prefix: 'a', from: 'a' }), 'a scan takes a prefix or a from/to range, not both');
    assert.match(bad({ from: Number.NaN }), /^'from' cannot be a key of this store: NaN cannot be a store key/);
    assert.equal(bad({ from: 'a', to: 'b' }), 'accepted');
  });
});
