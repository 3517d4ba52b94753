import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { RecordError } from '../../../core/errors';
import { TaskPipeline } from '../../../runtime/processing/task-pipeline';
import type { StreamRecord } from '../../../core/stream-record';
import { loadTopologyText, type CompiledTopology } from '../../../topology';

const fixtureFile = path.resolve(__dirname, '../../../../test/fixtures/topologies/inline.yaml');

function compile(yaml: string): CompiledTopology {
  const { topology, problems } = loadTopologyText(yaml, fixtureFile, { env: {} });
  assert.deepEqual(problems.map((p) => `${p.line}:${p.col} ${p.kind} ${p.message}`), []);
  return topology as CompiledTopology;
}

function rec(key: unknown, value: unknown, timestamp = 0, offset = 0): StreamRecord {
  return { key, value, timestamp, headers: {}, source: { topic: 'in', partition: 0, offset: String(offset) } };
}

function pipeline(t: CompiledTopology, sub = 0, options: Partial<ConstructorParameters<typeof TaskPipeline>[2]> = {}): TaskPipeline {
  return new TaskPipeline(t, t.subTopologies[sub], { taskId: `${sub}_0`, ...options });
}

const head = 'name: app\nsources:\n  in: {topic: in, value: json}\nsinks:\n  out: {topic: out, value: json}\n  other: {topic: other, value: json}\n';

describe('TaskPipeline', () => {
  it('pushes one batch through filter and map and resolves with the sink records in order', async () => {
    const t = compile(`${head}pipelines:
  p:
    from: in
    steps:
      - {id: big, filter: {expression: value.n > 1}}
      - {id: twice, map: {value: 'value.n * 2'}}
    to: out
`);
    const result = await pipeline(t).process('in', [rec('a', { n: 1 }), rec('b', { n: 2 }), rec('c', { n: 3 })]);
    assert.deepEqual(result.outputs.map((o) => [o.sink, o.record.key, o.record.value]), [['out', 'b', 4], ['out', 'c', 6]]);
    assert.deepEqual(result.failures, []);
  });

  it('hands a record a step fails on to dead-letter and goes on with the batch', async () => {
    const t = compile(`${head}pipelines:
  p:
    from: in
    steps:
      - {id: check, filter: {expression: value.ok}}
    to: out
`);
    const result = await pipeline(t).process('in', [rec('a', { ok: true }), rec('b', { ok: 'yes' }, 0, 7), rec('c', { ok: true })]);
    assert.deepEqual(result.outputs.map((o) => o.record.key), ['a', 'c']);
    assert.equal(result.failures.length, 1);
    assert.equal(result.failures[0].stepId, 'check');
    assert.equal(result.failures[0].record.key, 'b');
    assert.ok(result.failures[0].error instanceof RecordError);
  });

  it("drops and counts under 'skip'", async () => {
    const t = compile(`${head}pipelines:
  p:
    from: in
    steps:
      - {id: check, onError: skip, filter: {expression: value.ok}}
    to: out
`);
    const counted: string[] = [];
    const meter = {
      stepRecords: (step: string, direction: string, n: number) => counted.push(`${step}:${direction}:${n}`),
      stepDuration: (step: string, seconds: number) => counted.push(`${step}:duration:${seconds >= 0}`),
      stepEvents: (step: string, event: string, n: number) => counted.push(`${step}:${event}:${n}`),
    };
    const result = await pipeline(t, 0, { meter }).process('in', [rec('a', { ok: 1 }), rec('b', { ok: true })]);
    assert.deepEqual(result.outputs.map((o) => o.record.key), ['b']);
    assert.deepEqual(result.failures, []);
    assert.deepEqual(counted, ['check:skipped_records:1', 'check:in:2', 'check:out:1', 'check:duration:true']);
  });

  it("rejects the batch under 'fail', naming the step and the record's offset", async () => {
    const t = compile(`${head}pipelines:
  p:
    from: in
    steps:
      - {id: check, onError: fail, filter: {expression: value.ok}}
    to: out
`);
    await assert.rejects(pipeline(t).process('in', [rec('a', { ok: true }), rec('b', {}, 0, 42)]),
      (err: unknown) => err instanceof RecordError && /step check failed on a record \(in\/0@42\)/.test(err.message));
  });

  it('rejects with the step id when an operator errors its stream', async () => {
    const t = compile(`${head}pipelines:
  p:
    from: in
    steps:
      - {id: explode, operator: ./operators/explode.js}
    to: out
`);
    await assert.rejects(pipeline(t).process('in', [rec('a', 'fine'), rec('b', 'boom')]), /step explode failed: exploded/);
  });

  it('resolves only after async steps drained, with fan-out and fan-in', async () => {
    const t = compile(`${head}pipelines:
  p:
    from: in
    steps:
      - {id: later, operator: ./operators/delay.js, options: {ms: 5}}
    to: joined
  q:
    from: in
    steps:
      - {id: now, filter: {expression: 'true'}}
    to: joined
  joined:
    steps:
      - {id: tag, map: {value: '{"v": value}'}}
    to: out
`);
    const result = await pipeline(t).process('in', [rec('a', 1), rec('b', 2)]);
    assert.deepEqual(result.outputs.map((o) => [o.record.key, o.record.value]),
      [['a', { v: 1 }], ['b', { v: 2 }], ['a', { v: 1 }], ['b', { v: 2 }]]);
  });

  it('routes branch side outputs to sinks and pipelines; unmatched records continue', async () => {
    const t = compile(`${head}pipelines:
  p:
    from: in
    steps:
      - id: split
        branch:
          branches:
            - {when: value < 0, sink: other}
            - {when: value == 0.0, pipeline: zeros}
    to: out
  zeros:
    steps:
      - {id: mark, map: {value: '"zero"'}}
    to: out
`);
    const result = await pipeline(t).process('in', [rec('a', -1), rec('b', 0), rec('c', 5)]);
    assert.deepEqual(result.outputs.map((o) => `${o.sink}:${o.record.key}=${String(o.record.value)}`), ['other:a=-1', 'out:b=zero', 'out:c=5']);
  });

  it('takes records stamped as they come (event-time.ts stamps them), moves stream time and applies a sink key expression', async () => {
    const t = compile(`name: app
sources:
  in: {topic: in, value: json, timestamp: {field: at}}
pipelines:
  p: {from: in, to: out}
sinks:
  out: {topic: out, value: json, keyExpression: value.user}
`);
    const p = pipeline(t);
    const result = await p.process('in', [rec('k', { user: 'u1', at: 1 }, 1234), rec('k', { user: 'u2' }, 99)]);
    assert.deepEqual(result.outputs.map((o) => [o.record.key, o.record.timestamp]), [['u1', 1234], ['u2', 99]]);
    assert.equal(p.streamTime, 1234);
  });

  it('sends records re-keyed before a stateful step to the repartition topic', async () => {
    const t = compile(`${head}stores:
  counts: {}
pipelines:
  p:
    from: in
    steps:
      - {id: by-user, select-key: {expression: value.user}}
      - {id: count, operator: ./operators/count.js, options: {store: counts}}
    to: out
`);
    assert.equal(t.subTopologies.length, 2);
    const result = await pipeline(t, 0).process('in', [rec('x', { user: 'u1' })]);
    assert.deepEqual(result.repartition.map((r) => [r.topic, r.record.key]), [['app-count-repartition', 'u1']]);
    assert.deepEqual(result.outputs, []);
  });

  it('accepts the topic or the source name, and refuses an input it does not read', async () => {
    const t = compile(`name: app
sources:
  clicks: {topic: click-topic, value: json}
pipelines:
  p: {from: clicks, to: out}
sinks:
  out: {topic: out, value: json}
`);
    const p = pipeline(t);
    assert.equal((await p.process('click-topic', [rec('a', 1)])).outputs.length, 1);
    assert.equal((await p.process('clicks', [rec('a', 1)])).outputs.length, 1);
    await assert.rejects(p.process('nope', [rec('a', 1)]), /reads no topic or source 'nope'/);
  });

  it('punctuates with an empty batch that still reaches every step, with the given clocks', async () => {
    const t = compile(`${head}pipelines:
  p:
    from: in
    steps:
      - {id: tick, operator: ./operators/tick.js}
    to: out
`);
    const p = pipeline(t, 0, { wallClock: () => 500 });
    await p.process('in', [rec('a', 1, 100)]);
    const result = await p.punctuate(300, 900);
    assert.deepEqual(result.outputs.map((o) => o.record.value), [{ wall: 900, stream: 300 }]);
    const again = await p.punctuate();
    assert.deepEqual(again.outputs.map((o) => o.record.value), [{ wall: 500, stream: 300 }]);
  });

  it('runs concurrent calls one batch at a time', async () => {
    const t = compile(`${head}pipelines:
  p:
    from: in
    steps:
      - {id: later, operator: ./operators/delay.js, options: {ms: 3}}
    to: out
`);
    const p = pipeline(t);
    const [a, b] = await Promise.all([p.process('in', [rec('a', 1)]), p.process('in', [rec('b', 2)])]);
    assert.deepEqual([a.outputs.map((o) => o.record.key), b.outputs.map((o) => o.record.key)], [['a'], ['b']]);
    await p.close();
    await assert.rejects(p.process('in', []), /closed/);
  });
});
