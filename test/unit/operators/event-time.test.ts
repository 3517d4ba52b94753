import { strict as assert } from 'node:assert';
import { eventTime } from '../../../operators/event-time';
import { rec, runBatches, TestContext } from './internal/test-context';

describe('eventTime operator', () => {
  it('takes event time from the value (ms or ISO-8601) and keeps the record otherwise', async () => {
    const [out] = await runBatches(eventTime, { timestamp: 'value.ts' }, [[rec('u', { ts: 1234 }, 0), rec('u', { ts: '1970-01-01T00:00:02.000Z' }, 0), rec('u', { ts: '3000' }, 0)]]);
    assert.deepEqual(out!.map((r) => r.timestamp), [1234, 2000, 3000]);
    assert.deepEqual(out![0]!.source, { topic: 'in', partition: 0, offset: '0' });
  });

  it('sends records older than the watermark (max seen - bound) to the late output, across restarts', async () => {
    const ctx = new TestContext();
    const opts = { timestamp: 'value.ts', maxOutOfOrder: 5, store: 'wm', lateTo: 'late' };
    const first = await runBatches(eventTime, opts, [[rec('u', { ts: 10 }, 0), rec('u', { ts: 7 }, 0), rec('u', { ts: 3 }, 0)]], ctx);
    const second = await runBatches(eventTime, opts, [[rec('u', { ts: 4 }, 0), rec('u', { ts: 5 }, 0), rec('u', { ts: 12 }, 0)]], ctx);
    assert.deepEqual([...first, ...second].map((b) => b.map((r) => r.timestamp)), [[10, 7], [5, 12]]);
    assert.deepEqual(ctx.side.map((s) => s.record.timestamp), [3, 4]);
    assert.equal(ctx.counters.get('late_records'), 2);
  });

  it('sends an unreadable timestamp to the error policy and needs a store for a bound', async () => {
    const ctx = new TestContext();
    const [out] = await runBatches(eventTime, { timestamp: 'value.ts' }, [[rec('u', { ts: 'yesterday' }, 0)]], ctx);
    assert.deepEqual(out, []);
    assert.match(String(ctx.failed[0]!.error), /not epoch ms/);
    assert.equal(eventTime.check!({ maxOutOfOrder: 5 }).length, 1);
  });
});
