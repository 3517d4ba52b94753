import * as assert from 'node:assert/strict';
import * as avro from 'avsc';
import { compileExpression, expressionProblems } from '../../../operators/cel-expression';
import { parseDuration, formatDuration } from '../../../topology/duration';

const schema = {
  type: 'record', name: 'Click', fields: [
    { name: 'userId', type: 'string' },
    { name: 'meta', type: ['null', { type: 'record', name: 'Meta', fields: [{ name: 'surface', type: 'string' }] }] },
  ],
};

describe('CEL expressions', () => {
  it('finds unknown names with their offsets, honouring comprehension variables', () => {
    assert.deepEqual(expressionProblems('value.tags.exists(t, t == tag) && user == key'), [
      { offset: 26, message: "unknown name 'tag' (expressions can use key, value, timestamp, headers)" },
      { offset: 34, message: "unknown name 'user' (expressions can use key, value, timestamp, headers)" },
    ]);
  });

  it('checks value fields against an Avro record schema, through nullable unions', () => {
    assert.deepEqual(expressionProblems('value.userId != "" && value.meta.surface == "home"', schema), []);
    assert.deepEqual(expressionProblems('value.meta.surfce', schema).map((p) => [p.offset, p.message.split(' (')[0]]),
      [[11, "value.meta has no field 'surfce' in schema Meta"]]);
  });

  it('reports syntax errors at the offending character', () => {
    assert.deepEqual(expressionProblems('value.a +* 2').map((p) => p.offset), [8]);
  });

  it('evaluates to plain JS values and mixes int and double arithmetic', () => {
    const e = compileExpression('{"n": value.count + 1, "t": timestamp - 1, "parts": value.s.split(",")}');
    assert.deepEqual(e.evaluate({ key: null, value: { count: 2.5, s: 'a,b' }, timestamp: 10, headers: {} }),
      { n: 3.5, t: 9, parts: ['a', 'b'] });
  });

  it('reads avsc-decoded records (class instances) and treats undefined fields as absent', () => {
    const type = avro.Type.forSchema(schema as avro.Schema);
    const decoded = type.fromBuffer(type.toBuffer({ userId: 'u1', meta: { surface: 'home' } })) as object;
    assert.notEqual(Object.getPrototypeOf(decoded), Object.prototype);
    assert.equal(compileExpression('value.userId + "@" + value.meta.surface').evaluate({ key: null, value: decoded, timestamp: 0, headers: {} }), 'u1@home');
    assert.equal(compileExpression('has(value.x)').evaluate({ key: null, value: { x: undefined }, timestamp: 0, headers: {} }), false);
  });

  it('throws a non-retriable RecordError naming the expression when evaluation fails', () => {
    const e = compileExpression('value.missing');
    assert.throws(() => e.evaluate({ key: null, value: {}, timestamp: 0, headers: {} }, undefined),
      (err: Error & { retriable?: boolean }) => /expression 'value.missing' failed/.test(err.message) && err.retriable === false);
  });
});

describe('durations', () => {
  it('parses units and combinations to milliseconds', () => {
    assert.deepEqual(['500ms', '10s', '5m', '1h', '7d', '1h30m', 250, '250', 'soon', '10 s', -1].map(parseDuration),
      [500, 10_000, 300_000, 3_600_000, 604_800_000, 5_400_000, 250, 250, undefined, undefined, undefined]);
    assert.deepEqual([90_000, 3_600_000, 1500].map(formatDuration), ['90s', '1h', '1500ms']);
  });
});
