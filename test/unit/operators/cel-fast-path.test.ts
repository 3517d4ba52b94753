import * as assert from 'node:assert/strict';
import * as avro from 'avsc';
import { parse } from '@bufbuild/cel';
import { compileExpression } from '../../../operators/cel-expression';
import { compileFastPath, FAST_PATH_UNSURE } from '../../../operators/internal/cel-fast-path';
import type { StreamRecord } from '../../../core/stream-record';

/**
 * Differential test of the CEL fast path against the full @bufbuild/cel
 * evaluator: generated expressions over the subset and generated records of
 * every shape the runtime hands over (plain objects, avsc class instances,
 * Maps, undefined fields, huge ints, mixed types). Wherever the fast path
 * answers, its answer must equal the full evaluator's; through
 * compileExpression (fast path on, full fallback) results and errors must be
 * the same as with the fast path off.
 */

type Outcome = { ok: true; value: unknown } | { ok: false; error: string };

function outcome(f: () => unknown): Outcome {
  try {
    return { ok: true, value: f() };
  } catch (err) {
    return { ok: false, error: `${(err as Error).constructor.name}: ${(err as Error).message}` };
  }
}

/** mulberry32: a small seeded generator, so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = rng(20261126);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const chance = (p: number): boolean => rand() < p;

// ---- records ----------------------------------------------------------------

const INTS = [0n, 1n, -1n, 2n, 7n, -7n, 3n, 9223372036854775807n, -9223372036854775808n, 2n ** 64n];
const DOUBLES = [0, -0, 1.5, -2.25, 2, 3, 1e308, Number.NaN, Number.POSITIVE_INFINITY, 0.1];
const STRINGS = ['', 'a', 'b', 'ab', 'é😀', '-seen', 'u1', '12', ' 7', '0x1f', '1.5', 'AbÇ'];
const ODD = [null, undefined, true, 'x', 1n, 1.5, [1n, 2n], { a: 1n }, new Map([['a', 1n]]), Buffer.from('hi'),
  Object.create(null) as object, { constructor: 1 }, { $typeName: 'x' }, () => 1, [1n, undefined], new Date(0)];

const avroType = avro.Type.forSchema({
  type: 'record', name: 'Ev', fields: [
    { name: 's', type: 'string' }, { name: 'd', type: 'double' }, { name: 'b', type: 'boolean' },
    { name: 'amount', type: 'long' }, { name: 'n', type: ['null', 'string'], default: null },
    { name: 'nested', type: { type: 'record', name: 'Nested', fields: [{ name: 'name', type: 'string' }, { name: 'x', type: 'double' }] } },
    { name: 'ints', type: { type: 'array', items: 'long' } },
  ],
} as avro.Schema);

function typedValue(): Record<string, unknown> {
  return {
    i: pick(INTS), j: pick(INTS.slice(0, 7)), d: pick(DOUBLES), amount: Math.floor(rand() * 1000), s: pick(STRINGS), b: chance(0.5),
    n: null, ints: [pick(INTS), pick(INTS.slice(0, 7)), 3n], list: [pick(STRINGS), pick(DOUBLES), pick(INTS)],
    nested: { name: pick(STRINGS), x: pick(DOUBLES), i: pick(INTS) }, m: new Map<unknown, unknown>([['a', pick(INTS)], ['b', pick(STRINGS)]]),
    bytes: Buffer.from(pick(STRINGS)),
  };
}

/** One record; about half have some field swapped for another type, removed or undefined. */
function genRecord(): StreamRecord {
  let value: unknown;
  const shape = rand();
  if (shape < 0.2) {
    const plain = { s: pick(STRINGS), d: pick(DOUBLES), b: chance(0.5), amount: Math.floor(rand() * 1000), n: chance(0.5) ? null : 'x',
      nested: { name: pick(STRINGS), x: pick(DOUBLES) }, ints: [1, 2, 3] };
    value = avroType.fromBuffer(avroType.toBuffer(plain)); // a class instance, as the Avro serde gives
  } else {
    const v = typedValue();
    if (chance(0.5)) {
      const field = pick(Object.keys(v));
      const how = rand();
      if (how < 0.3) delete v[field];
      else if (how < 0.5) v[field] = undefined;
      else v[field] = pick(ODD);
    }
    if (chance(0.2)) (v.nested as Record<string, unknown>).i = pick(ODD);
    value = shape < 0.3 ? new Map(Object.entries(v)) : shape < 0.35 ? pick(ODD) : v;
  }
  return {
    key: pick(['k1', '', null, undefined, Buffer.from('kb'), 5n]),
    value,
    timestamp: pick([1_700_000_000_000, 0, 1.5, -3, Number.NaN]),
    headers: pick([{}, { h: 'v' }, { h: Buffer.from('hv'), g: 'x' }]),
  } as StreamRecord;
}

// ---- expressions ----------------------------------------------------------

type Ty = 'int' | 'double' | 'string' | 'bool' | 'list' | 'map';
const TYPES: Ty[] = ['int', 'double', 'string', 'bool', 'list', 'map'];

function gen(ty: Ty, depth: number): string {
  if (chance(0.08)) ty = pick(TYPES); // a type mismatch now and then: errors must match too
  const leaf = depth <= 0 || chance(0.3);
  switch (ty) {
    case 'int':
      if (leaf) return pick(['0', '1', '-1', '2', '7', '-7', '9223372036854775807', '-9223372036854775808', 'value.i', 'value.j',
        'timestamp', 'value.nested.i', 'value.ints[0]', 'value.ints[1]', 'value["i"]', 'value.m.a', 'value.missing']);
      return pick([
        () => `(${gen('int', depth - 1)} ${pick(['+', '-', '*', '/', '%'])} ${gen('int', depth - 1)})`,
        () => `-(${gen('int', depth - 1)})`,
        () => `size(${gen(pick(['string', 'list', 'map']), depth - 1)})`,
        () => `${gen(pick(['string', 'list']), depth - 1)}.size()`,
        () => `(${gen('bool', depth - 1)} ? ${gen('int', depth - 1)} : ${gen('int', depth - 1)})`,
        () => `${gen('list', depth - 1)}[${pick(['0', '1', '2', '-1', 'value.j'])}]`,
        () => `int(${gen(pick(['double', 'string', 'int']), depth - 1)})`,
      ])();
    case 'double':
      if (leaf) return pick(['0.0', '1.5', '-2.25', '2.0', '1e308', 'value.d', 'value.amount', 'value.nested.x', 'value.list[1]']);
      return pick([
        () => `(${gen(pick(['double', 'int']), depth - 1)} ${pick(['+', '-', '*', '/'])} ${gen('double', depth - 1)})`,
        () => `(${gen('double', depth - 1)} ${pick(['+', '-', '*', '/', '%'])} ${gen(pick(['double', 'int']), depth - 1)})`,
        () => `-(${gen('double', depth - 1)})`,
        () => `(${gen('bool', depth - 1)} ? ${gen('double', depth - 1)} : ${gen('int', depth - 1)})`,
        () => `double(${gen(pick(['int', 'string', 'double']), depth - 1)})`,
      ])();
    case 'string':
      if (leaf) return pick(['""', '"a"', '"-seen"', '"é😀"', '"12"', '"AbÇ"', 'value.s', 'value.nested.name', 'key', 'headers.h', 'headers["g"]', 'value.m.b', 'value.list[0]', 'value.n']);
      return pick([
        () => `(${gen('string', depth - 1)} + ${gen('string', depth - 1)})`,
        () => `(${gen('bool', depth - 1)} ? ${gen('string', depth - 1)} : ${gen('string', depth - 1)})`,
        () => `string(${gen(pick(['int', 'double', 'bool', 'string']), depth - 1)})`,
        () => `${gen('string', depth - 1)}.${pick(['lowerAscii', 'upperAscii'])}()`,
        () => `dyn(${gen(pick(TYPES), depth - 1)})`,
      ])();
    case 'bool':
      if (leaf) return pick(['true', 'false', 'value.b', 'has(value.s)', 'has(value.n)', 'has(value.nested.i)', 'has(value.missing)', 'has(headers.h)', 'has(value.ints.x)']);
      return pick([
        () => `(${gen(pick(['int', 'double']), depth - 1)} ${pick(['<', '<=', '>', '>=', '==', '!='])} ${gen(pick(['int', 'double']), depth - 1)})`,
        () => `(${gen('string', depth - 1)} ${pick(['<', '<=', '>', '>=', '==', '!='])} ${gen('string', depth - 1)})`,
        () => `(${gen(pick(TYPES), depth - 1)} ${pick(['==', '!='])} ${gen(pick(TYPES), depth - 1)})`,
        () => `(${gen('bool', depth - 1)} ${pick(['&&', '||'])} ${gen('bool', depth - 1)})`,
        () => `(${gen('bool', depth - 1)} ${pick(['&&', '||'])} ${gen(pick(TYPES), depth - 1)})`,
        () => `!(${gen('bool', depth - 1)})`,
        () => `(${gen(pick(['string', 'int', 'double']), depth - 1)} in ${gen('list', depth - 1)})`,
        () => `(${gen('string', depth - 1)} in ${gen('map', depth - 1)})`,
        () => `${gen('string', depth - 1)}.${pick(['contains', 'startsWith', 'endsWith'])}(${gen('string', depth - 1)})`,
        () => `(${gen('bool', depth - 1)} ${pick(['<', '=='])} ${gen('bool', depth - 1)})`,
      ])();
    case 'list':
      if (leaf) return pick(['[]', 'value.ints', 'value.list', '[1, 2.5, "a"]']);
      return pick([
        () => `[${Array.from({ length: Math.floor(rand() * 3) + 1 }, () => gen(pick(TYPES), depth - 1)).join(', ')}]`,
        () => `(${gen('list', depth - 1)} + ${gen('list', depth - 1)})`,
      ])();
    case 'map':
      if (leaf) return pick(['{}', 'value.nested', 'value.m', 'headers', 'value', '{"a": 1}']);
      return `{${Array.from({ length: Math.floor(rand() * 3) + 1 },
        () => `${pick(['"a"', '"b"', '"s"', '1', '2', 'true', '1.0', '1.5', 'value.s', 'value.i'])}: ${gen(pick(TYPES), depth - 1)}`).join(', ')}}`;
    default: return 'null';
  }
}

// ---- the tests ------------------------------------------------------------------

describe('CEL fast path', () => {
  it('agrees with the full evaluator on generated expressions and records (results and errors)', () => {
    const records = Array.from({ length: 40 }, genRecord);
    let compiled = 0;
    let expressions = 0;
    let answered = 0;
    let evaluations = 0;
    let errors = 0;
    const seen = new Set<string>();
    while (expressions < 600) {
      const source = gen(pick(TYPES), 1 + Math.floor(rand() * 3));
      if (seen.has(source)) continue;
      seen.add(source);
      expressions++;
      const fast = compileFastPath(parse(source).expr);
      if (fast) compiled++;
      const full = compileExpression(source, { fastPath: false });
      const combined = compileExpression(source);
      for (const record of records.slice(0, 8 + (expressions % 16))) {
        evaluations++;
        const expected = outcome(() => full.evaluate(record));
        if (!expected.ok) errors++;
        const got = outcome(() => combined.evaluate(record));
        const where = `${source} on ${describeRecord(record)}`;
        assert.deepStrictEqual(got, expected, where);
        if (!fast) continue;
        const direct = fast(record);
        if (direct === FAST_PATH_UNSURE) continue;
        answered++;
        assert.ok(expected.ok, `fast path answered ${String(direct)} where the full evaluator fails: ${where}: ${expected.ok ? '' : expected.error}`);
        assert.deepStrictEqual(direct, expected.value, where);
      }
    }
    // Not vacuous: most expressions compile, the fast path answers a good share and errors are common.
    assert.ok(compiled / expressions > 0.9, `only ${compiled} of ${expressions} expressions compiled`);
    assert.ok(answered / evaluations > 0.25, `fast path answered only ${answered} of ${evaluations} evaluations`);
    assert.ok(errors / evaluations > 0.1, `only ${errors} of ${evaluations} evaluations failed: errors are not exercised`);
  });

  const base = (): StreamRecord => ({
    key: 'k1', timestamp: 1_700_000_000_500, headers: { h: Buffer.from('hv') },
    value: { i: 7n, d: 2.5, s: 'ab', b: true, n: null, u: undefined, list: [1n, 'x', 2.5], nested: { name: 'nn', x: 1 }, big: 2n ** 63n, amount: 4 },
  });

  // [expression, expected result, or an Error matching the full evaluator's message]
  const cases: Array<[string, unknown]> = [
    ['value.i + 1', 8], ['value.d + 1', 3.5], ['1 + value.d', 3.5], ['value.amount + 1', 5], ['value.i - value.d', 4.5],
    ['value.i * 2', 14], ['value.i / 2', 3], ['-7 / 2', -3], ['-7 % 3', -1], ['7.0 / 2', 3.5], ['7 / 2.0', 3.5], ['1.0 / 0.0', Infinity],
    ['1 / 0', /divide by zero/], ['1 % 0', /modulus by zero/], ['1.5 % 1.0', /no matching overload/], ['9223372036854775807 + 1', /overflow/],
    ['-(-9223372036854775808)', /overflow/], ['value.big + 0', /overflow/], ['value.big', 2n ** 63n],
    ['-value.d', -2.5], ['-value.i', -7], ['!value.b', false], ['!value.s', /no matching overload/],
    ['value.s + "-seen"', 'ab-seen'], ['value.s + 1', /no matching overload/], ['value.list + [3]', [1, 'x', 2.5, 3]],
    ['value.i == 7.0', true], ['value.i != 7', false], ['value.s == 1', false], ['null == value.n', true], ['value.u == null', true],
    ['value.i < 7.5', true], ['value.d >= 2', true], ['"a" < "b"', true], ['false < true', true], ['value.s < 1', /no matching overload/],
    ['false && value.missing', false], ['true || value.missing', true], ['value.missing && false', false], ['value.missing || true', true],
    ['true && value.missing', /field not found/], ['value.s && true', /expected bool/],
    ['value.b ? value.s : value.missing', 'ab'], ['value.i ? 1 : 2', /no matching overload/],
    ['size(value.s)', 2], ['size("é😀")', 2], ['value.list.size()', 3], ['size(value.nested)', 2], ['size(1)', /no matching overload/],
    ['has(value.s)', true], ['has(value.n)', false], ['has(value.u)', false], ['has(value.missing)', false], ['has(value.missing.x)', /field not found/],
    ['has(value.list.x)', false], ['value.list[1]', 'x'], ['value.list[3]', /out of bounds/], ['value["s"]', 'ab'], ['value.nested.name', 'nn'],
    ['"x" in value.list', true], ['2.5 in value.list', true], ['"s" in value', true], ['"n" in value', false],
    ['value.s.startsWith("a")', true], ['value.s.contains("z")', false], ['value.s.endsWith(1)', /no matching overload/],
    ['headers.h', 'hv'], ['key', 'k1'], ['timestamp + 1', 1_700_000_000_501], ['value.u', null],
    ['{"a": value.i, 1: value.d, true: value.n}', { a: 7, 1: 2.5, true: null }], ['{1: 1, 1.0: 2}', /map key conflict/],
    ['{1.5: 1}', /unsupported key type/], ['[value.i, value.nested]', [7, { name: 'nn', x: 1 }]], ['value.missing', /field not found: missing/],
    ['{"userId": value.s, "itemId": value.s + "-seen", "amount": value.amount}', { userId: 'ab', itemId: 'ab-seen', amount: 4 }],
    ['int(2.7)', 2], ['int(-2.7)', -2], ['int(value.i)', 7], ['int(" 12")', 12], ['int("0x1f")', 31], ['int("1.5")', /SyntaxError|Cannot convert/],
    ['int(1e19)', /overflow/], ['int(value.d / 0.0)', /overflow/], ['int("99999999999999999999")', /overflow/],
    ['double(3)', 3], ['double("1.5")', 1.5], ['double("abc")', Number.NaN], ['double(value.big)', 2 ** 63], ['double(true)', /no matching overload/],
    ['string(1.5)', '1.5'], ['string(value.i)', '7'], ['string(true)', 'true'], ['string(1e21)', '1e+21'], ['string([1])', /no matching overload/],
    ['"AbÇ".lowerAscii()', 'abÇ'], ['"abç".upperAscii()', 'ABç'], ['value.i.upperAscii()', /no matching overload/], ['dyn([1, value.s])', [1, 'ab']],
  ];
  for (const [source, want] of cases) {
    it(`${source} → ${want instanceof RegExp ? `error ${String(want)}` : JSON.stringify(want, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`, () => {
      const record = base();
      const full = outcome(() => compileExpression(source, { fastPath: false }).evaluate(record));
      const combined = outcome(() => compileExpression(source).evaluate(record));
      assert.deepStrictEqual(combined, full);
      const fast = compileFastPath(parse(source).expr);
      assert.ok(fast, `${source} should be in the fast path's subset`);
      const direct = fast(record);
      if (want instanceof RegExp) {
        assert.equal(full.ok, false);
        assert.match((full as { error: string }).error, want);
        assert.equal(direct, FAST_PATH_UNSURE, 'errors are left to the full evaluator');
      } else {
        assert.deepStrictEqual(full, { ok: true, value: want });
        // A few answers come from the full evaluator by design (an error absorbed by && or ||).
        if (direct !== FAST_PATH_UNSURE || !/missing/.test(source)) assert.deepStrictEqual(direct, want);
      }
    });
  }

  it('leaves expressions outside the subset to the full evaluator', () => {
    for (const source of ['value.list.exists(x, x == 1)', 'uint(value.d)', 'value.s.trim()', 'timestamp(0)', '1u + 2u', 'b"ab"', 'other + 1', 'timestamp.getHours()']) {
      assert.equal(compileFastPath(parse(source).expr), undefined, source);
    }
    assert.equal(compileExpression('value.list.exists(x, x == 1)').evaluate(base()), true);
  });
});

function describeRecord(r: StreamRecord): string {
  const show = (v: unknown): string => {
    try {
      return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x instanceof Map ? { map: [...x] } : x === undefined ? '<undefined>' : x));
    } catch {
      return String(v);
    }
  };
  return `key=${show(r.key)} ts=${r.timestamp} headers=${show(r.headers)} value=${show(r.value)}`;
}
