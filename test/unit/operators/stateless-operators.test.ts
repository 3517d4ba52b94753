import * as assert from 'node:assert/strict';
import { firstValueFrom, from, toArray } from 'rxjs';
import { branch } from '../../../operators/branch';
import { filter } from '../../../operators/filter';
import { flatMap } from '../../../operators/flat-map';
import { map } from '../../../operators/map';
import { merge } from '../../../operators/merge';
import type { OperatorContext, OperatorSpec } from '../../../operators/operator-spec';
import { peek, peekOutput } from '../../../operators/peek';
import { selectKey } from '../../../operators/select-key';
import { to } from '../../../operators/to';
import { RecordError } from '../../../core/errors';
import type { StreamRecord } from '../../../core/stream-record';

/** A context double: this unit test checks one operator, not the executor. */
function context() {
  const failed: Array<{ record: StreamRecord; error: unknown }> = [];
  const side: Array<{ target: string; record: StreamRecord }> = [];
  const ctx: OperatorContext = {
    stepId: 'step', taskId: '0_0',
    keyValueStore: () => { throw new Error('stateless operators use no store'); },
    streamTime: () => 0, wallClock: () => 0,
    recordFailed: (record, error) => failed.push({ record, error }),
    sideOutput: (target, record) => side.push({ target, record }),
  };
  return { ctx, failed, side };
}

const r = (key: unknown, value: unknown, timestamp = 0): StreamRecord => ({ key, value, timestamp, headers: { trace: 't1' } });

async function run(spec: OperatorSpec, options: Record<string, unknown>, input: StreamRecord[], ctx = context()) {
  const out = await firstValueFrom(from(input).pipe(spec.create(options, ctx.ctx), toArray()));
  return { out, ...ctx };
}

describe('filter operator', () => {
  it('keeps records whose expression is true', async () => {
    const { out } = await run(filter, { expression: 'value.action == "click"' },
      [r('a', { action: 'click' }), r('b', { action: 'save' }), r('c', { action: 'click' })]);
    assert.deepEqual(out.map((x) => x.key), ['a', 'c']);
  });

  it('fails a record whose result is not a boolean and goes on', async () => {
    const { out, failed } = await run(filter, { expression: 'value.n' }, [r('a', { n: 1 }), r('b', { missing: true })]);
    assert.deepEqual(out, []);
    assert.equal(failed.length, 2);
    assert.ok(failed.every((f) => f.error instanceof RecordError));
    assert.match(String((failed[1].error as Error).message), /field not found: n|no such key/);
  });

  it('reads keys, timestamps and headers', async () => {
    const { out } = await run(filter, { expression: 'key.startsWith("u") && timestamp >= 10 && headers["trace"] == "t1"' },
      [r('u1', 1, 10), r('x1', 1, 10), r('u2', 1, 5)]);
    assert.deepEqual(out.map((x) => x.key), ['u1']);
  });
});

describe('map operator', () => {
  it('computes a new value and keeps key, headers and timestamp', async () => {
    const { out } = await run(map, { value: '{"user": value.userId, "n": value.n + 1}' }, [r('k', { userId: 'u1', n: 2 }, 7)]);
    assert.deepEqual(out, [{ key: 'k', value: { user: 'u1', n: 3 }, timestamp: 7, headers: { trace: 't1' } }]);
  });

  it('sets the event time from an expression', async () => {
    const { out } = await run(map, { timestamp: 'value.at * 1000' }, [r('k', { at: 3 })]);
    assert.equal(out[0].timestamp, 3000);
  });

  it('rejects options that change nothing', () => {
    assert.equal(map.check?.({}).length, 1);
  });
});

describe('flat-map operator', () => {
  it('emits one record per list element under the same key', async () => {
    const { out, failed } = await run(flatMap, { expression: 'value.split(" ")' }, [r('l1', 'a b'), r('l2', 5)]);
    assert.deepEqual(out.map((x) => [x.key, x.value]), [['l1', 'a'], ['l1', 'b']]);
    assert.equal(failed.length, 1);
  });
});

describe('select-key operator', () => {
  it('re-keys records and declares the key change', async () => {
    const { out } = await run(selectKey, { expression: 'value.pinId' }, [r('u1', { pinId: 'p9' })]);
    assert.deepEqual(out.map((x) => [x.key, x.value]), [['p9', { pinId: 'p9' }]]);
    assert.equal(selectKey.changesKey, true);
  });
});

describe('branch operator', () => {
  it('sends each record to the first matching branch; the rest continue', async () => {
    const { out, side } = await run(branch, {
      branches: [{ when: 'value < 0', sink: 'negatives' }, { when: 'value < 10', pipeline: 'small' }, { when: 'true', sink: 'never-first' }],
    }, [r('a', -1), r('b', 5), r('c', 50)]);
    assert.deepEqual(side.map((s) => `${s.target}:${String(s.record.key)}`), ['negatives:a', 'small:b', 'never-first:c']);
    assert.deepEqual(out, []);
  });

  it('reports a branch without exactly one target', () => {
    assert.deepEqual(branch.check?.({ branches: [{ when: 'true' }, { when: 'true', sink: 's', pipeline: 'p' }, { when: 'true', sink: 's' }] })
      .map((p) => p.path), [['branches', 0], ['branches', 1]]);
  });
});

describe('to operator', () => {
  it('copies every record to the sink and passes it on', async () => {
    const { out, side } = await run(to, { sink: 'audit' }, [r('a', 1), r('b', 2)]);
    assert.deepEqual(out.map((x) => x.key), ['a', 'b']);
    assert.deepEqual(side.map((s) => [s.target, s.record.key]), [['audit', 'a'], ['audit', 'b']]);
  });
});

describe('merge operator', () => {
  it('passes its own input through (the executor wires the other pipelines in)', async () => {
    const { out } = await run(merge, { pipelines: ['x'] }, [r('a', 1)]);
    assert.deepEqual(out.map((x) => x.key), ['a']);
  });
});

describe('peek operator', () => {
  it('prints one record in `every` and passes all on', async () => {
    const lines: string[] = [];
    const write = peekOutput.write;
    peekOutput.write = (line) => { lines.push(line); };
    try {
      const { out } = await run(peek, { label: 'dbg', expression: 'value', every: 2 }, [r('a', 1), r('b', 2), r('c', 3)]);
      assert.equal(out.length, 3);
      assert.deepEqual(lines, ['dbg 1\n', 'dbg 3\n']);
    } finally {
      peekOutput.write = write;
    }
  });
});
