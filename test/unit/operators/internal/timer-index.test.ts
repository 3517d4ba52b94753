import { strict as assert } from 'node:assert';
import { TimerIndex } from '../../../../operators/internal/timer-index';
import { MemoryStore } from './memory-store';

/** A MemoryStore that counts range scans (each is a RocksDB iterator in the real store). */
class CountingStore extends MemoryStore<string, unknown> {
  scans = 0;
  override range(from?: string, to?: string): AsyncIterable<[string, unknown]> {
    this.scans += 1;
    return super.range(from, to);
  }
}

/** One batch: begin, reschedules, due(now), end, commit; the due timers' times. */
async function batch(index: TimerIndex, store: MemoryStore<string, unknown>, now: number, set: Array<[string, number | undefined, number | undefined]> = [], commit = true): Promise<number[]> {
  await index.begin();
  for (const [key, previous, next] of set) index.reschedule(key, previous, next);
  const due = await index.due(now);
  for (const t of due) index.reschedule(t.encodedKey, t.time, undefined);
  index.end();
  if (commit) store.commit();
  else store.crash();
  return due.map((t) => t.time);
}

describe('TimerIndex (operators/internal/timer-index.ts)', () => {
  it('scans only when a timer may be due: the first scan learns the next timer past now', async () => {
    const store = new CountingStore('s');
    const index = new TimerIndex(store);
    assert.deepEqual(await batch(index, store, 100, [['sa', undefined, 500], ['sb', undefined, 900]]), []);
    assert.equal(store.scans, 1, 'the bound was lowered by the timers set, so the first batch scans');
    for (const now of [200, 300, 499]) assert.deepEqual(await batch(index, store, now), []);
    assert.equal(store.scans, 1, 'nothing due before 500: no scan');
    assert.deepEqual(await batch(index, store, 600), [500]);
    assert.equal(store.scans, 2);
    assert.deepEqual(await batch(index, store, 899), []);
    assert.equal(store.scans, 2, 'the scan at 600 read the next timer (900) as the bound');
    assert.deepEqual(await batch(index, store, 1_000), [900]);
    assert.deepEqual(await batch(index, store, 5_000), []);
    assert.equal(store.scans, 3, 'no timers left: the bound is +∞');
  });

  it('fires a timer set below the bound, and one set below the floor', async () => {
    const store = new CountingStore('s');
    const index = new TimerIndex(store);
    await batch(index, store, 100, [['sa', undefined, 10_000]]);
    assert.deepEqual(await batch(index, store, 200, [['sb', undefined, 150]]), [150], 'below the floor (101)');
    assert.deepEqual(await batch(index, store, 300, [['sc', undefined, 400]]), []);
    assert.deepEqual(await batch(index, store, 450), [400]);
  });

  it('forgets the bound when the last batch was rolled back: the timers it fired are back', async () => {
    const store = new CountingStore('s');
    const index = new TimerIndex(store);
    await batch(index, store, 100, [['sa', undefined, 500], ['sb', undefined, 2_000]]);
    assert.deepEqual(await batch(index, store, 600, [], false), [500], 'fired, then the batch is rolled back');
    assert.deepEqual(await batch(index, store, 700), [500], 'fired again after the rollback');
  });

  it('starts with no bound (a new task, a restart): the first batch scans the stored timers', async () => {
    const store = new CountingStore('s');
    await batch(new TimerIndex(store), store, 100, [['sa', undefined, 300]]);
    const restarted = new TimerIndex(store);
    assert.deepEqual(await batch(restarted, store, 400), [300]);
  });
});
