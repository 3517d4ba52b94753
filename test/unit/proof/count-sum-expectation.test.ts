import { strict as assert } from 'node:assert';
import { expectedFinalAggregates, generateBenchEvents } from '../../helpers/bench-event-generator';
import { BENCH_AGGREGATE_SCHEMA_PATH, loadAvsc } from '../../helpers/bench-schemas';
import { poisonBody } from '../../helpers/bench-input-producer';
import { BENCH_EVENT_SCHEMA_PATH } from '../../helpers/bench-schemas';
import { frameConfluent } from '../../helpers/confluent-frame';
import { countShortfall, countSumExpectation, countSumOutputIdentity, poisonEvery, poisonIdentity } from '../../faults/count-sum-expectation';
import { verifyDelivery } from '../../faults/delivery-verifier';

const plan = { records: 1000, keys: 100, seed: 7 };

function record(key: string, value: Buffer): { partition: number; offset: string; key: Buffer; value: Buffer; headers: {}; timestamp: string } {
  return { partition: 0, offset: '0', key: Buffer.from(key), value, headers: {}, timestamp: '0' };
}

describe('count+sum expectation', () => {
  it('generates the same events for the same plan and visits every key first', () => {
    const a = [...generateBenchEvents(plan)];
    const b = [...generateBenchEvents(plan)];
    assert.deepEqual(a, b);
    assert.equal(new Set(a.slice(0, 100).map((e) => e.key)).size, 100);
    assert.notDeepEqual([...generateBenchEvents({ ...plan, seed: 8 })].slice(100), a.slice(100));
  });

  it('poisons one record in a hundred at a rate of 1%', () => {
    const isPoison = poisonEvery(0.01);
    const exp = countSumExpectation(plan, isPoison, 'exactly_once');
    assert.equal(exp.poison.length, 10);
    assert.equal(exp.outputs.length, 990);
    assert.equal(exp.poison[0], 'poison-99');
  });

  it('ends each key on the final aggregate', () => {
    const finals = expectedFinalAggregates(plan);
    const exp = countSumExpectation(plan, () => false, 'exactly_once');
    const last = new Map<string, string>();
    for (const id of exp.outputs) last.set(id.split('#')[0]!, id);
    for (const [key, agg] of finals) assert.equal(last.get(key), `${key}#${agg.count}#${agg.sum}`);
  });

  it('names decoded outputs the way the expectation does, and a simulated correct run verifies', () => {
    const type = loadAvsc(BENCH_AGGREGATE_SCHEMA_PATH).type;
    const name = countSumOutputIdentity('exactly_once');
    const isPoison = poisonEvery(0.01);
    const exp = countSumExpectation(plan, isPoison, 'exactly_once');
    const state = new Map<string, { count: number; sum: number }>();
    const observed: string[] = [];
    const dlq: string[] = [];
    for (const e of generateBenchEvents(plan)) {
      if (isPoison(e)) { dlq.push(poisonIdentity(record(e.key, frameConfluent(1, poisonBody(e.index))))); continue; }
      const s = state.get(e.key) ?? { count: 0, sum: 0 };
      s.count++; s.sum += e.amount; state.set(e.key, s);
      observed.push(name(record(e.key, frameConfluent(3, type.toBuffer(s)))));
    }
    const report = verifyDelivery({ guarantee: 'exactly_once', expected: exp.outputs, observed, expectedDlq: exp.poison, observedDlq: dlq });
    assert.equal(report.ok, true);
    // Dropping one output is caught and named.
    const report2 = verifyDelivery({ guarantee: 'exactly_once', expected: exp.outputs, observed: observed.slice(1), expectedDlq: exp.poison, observedDlq: dlq });
    assert.equal(report2.missing, 1);
    assert.deepEqual(report2.examples.missing, [observed[0]]);
  });

  it('writes poison bodies that the event schema cannot decode', () => {
    const type = loadAvsc(BENCH_EVENT_SCHEMA_PATH).type;
    assert.throws(() => type.fromBuffer(poisonBody(123456789)));
    assert.equal(poisonIdentity(record('k', frameConfluent(5, poisonBody(42)))), 'poison-42');
  });

  it('tells a skipped count from a lost input by the per-key shortfall', () => {
    const expected = ['a#1', 'a#2', 'a#3', 'b#1'];
    // Re-processing on top of restored state: a#2 skipped, a#4 past the end; nothing lost.
    assert.equal(countShortfall(expected, ['a#1', 'a#3', 'a#4', 'b#1']), 0);
    // A lost input: a never reaches 3, b never appears.
    assert.equal(countShortfall(expected, ['a#1', 'a#2']), 2);
  });
});
