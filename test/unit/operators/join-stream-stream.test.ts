import { strict as assert } from 'node:assert';
import { joinStreamStream } from '../../../operators/join-stream-stream';
import type { StreamRecord } from '../../../core/stream-record';
import { runBatches, TestContext } from './internal/test-context';
import { stepProblems } from './internal/step-problems';

const L = (v: string, t: number, key = 'u'): StreamRecord => ({ key, value: v, timestamp: t, headers: {}, source: { topic: 'views', partition: 0, offset: String(t) } });
const R = (v: string, t: number, key = 'u'): StreamRecord => ({ key, value: v, timestamp: t, headers: {}, source: { topic: 'clicks', partition: 0, offset: String(t) } });
const pairs = (records: StreamRecord[]) => records.map((r) => { const v = r.value as { left: string; right: string | null }; return `${v.left}+${v.right}@${r.timestamp}`; });

describe('joinStreamStream operator', () => {
  const opts = { store: 'j', within: 5, rightTopic: 'clicks' };

  it('joins records of both sides at most `within` apart (inclusive), each pair once, in either arrival order', async () => {
    const [out] = await runBatches(joinStreamStream, { ...opts, grace: 10 }, [[L('L1', 0), R('R1', 3), R('R2', 9), L('L2', 4), R('R3', 10, 'other'), L('L3', 14)]]);
    assert.deepEqual(pairs(out!), ['L1+R1@3', 'L2+R1@4', 'L2+R2@9', 'L3+R2@14']);
  });

  it('in left mode emits unmatched left records with null once their window closes, also after a restart', async () => {
    const ctx = new TestContext();
    const first = await runBatches(joinStreamStream, { ...opts, mode: 'left' }, [[L('L1', 0), R('R1', 3), L('L2', 20)]], ctx);
    const second = await runBatches(joinStreamStream, { ...opts, mode: 'left' }, [[R('R3', 40)], []], ctx);
    assert.deepEqual([...first, ...second].map(pairs), [['L1+R1@3'], ['L2+null@20'], []]);
    assert.equal(ctx.keyValueStore('j').stateSize(), 2, 'only R3 (state, timer) remains');
  });

  it('sends records older than stream time minus grace to the late output, and tells sides apart by expression', async () => {
    const ctx = new TestContext();
    const side = (v: string, t: number) => ({ key: 'u', value: { v, click: v.startsWith('R') }, timestamp: t, headers: {} });
    const [out] = await runBatches(joinStreamStream, { store: 'j', within: 5, right: 'value.click', grace: 2, lateTo: 'late' }, [[side('L1', 10), side('R1', 8), side('R2', 7)]], ctx);
    assert.equal(out!.length, 1);
    assert.deepEqual(ctx.side.map((s) => (s.record.value as { v: string }).v), ['R2']);
  });

  it('needs exactly one way to tell the sides apart', () => {
    const problems = (sides: string) => stepProblems(['- id: j', `  join-stream-stream: { store: j, within: 1s${sides} }`], ['j']);
    assert.deepEqual(problems(''), ['join-stream-stream: set exactly one of rightTopic or right']);
    assert.deepEqual(problems(', rightTopic: input, right: has(value.x)'), ['join-stream-stream: set exactly one of rightTopic or right']);
  });
});
