import * as assert from 'node:assert/strict';
import * as avro from 'avsc';
import { compileExpression, expressionProblems } from '../../../operators/cel-expression';

const schema = {
  type: 'record', name: 'Payment', namespace: 'shop', fields: [
    { name: 'amount', type: 'int' },
    { name: 'ratio', type: 'double' },
    { name: 'text', type: 'string' },
    { name: 'flag', type: 'boolean' },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'attrs', type: { type: 'map', values: 'long' } },
    { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['A', 'B'] } },
    { name: 'raw', type: 'bytes' },
    { name: 'meta', type: ['null', { type: 'record', name: 'Meta', fields: [{ name: 'surface', type: 'string' }, { name: 'rank', type: 'long' }] }] },
    { name: 'again', type: ['null', 'Meta'] },
  ],
};

/** The problems' [offset, start of message] of an expression checked against the schema. */
function problems(source: string, boolean = false): Array<[number, string]> {
  return expressionProblems(source, schema, [], { boolean }).map((p) => [p.offset, p.message]);
}

describe('CEL type checking against Avro schemas', () => {
  const errors: Array<[source: string, offset: number, says: string, boolean?: boolean]> = [
    ['value.amount > "1000"', 13, "no overload of operator '>' takes (double, string) (value.amount is an Avro int"],
    ['value.text.splt(" ")', 10, "unknown function 'splt' (did you mean 'split'?)"],
    ['value + 1', 5, "no overload of operator '+' takes (record Payment, int)"],
    ['value.amount + 1', 0, 'must be a boolean (true or false), but gives double', true],
    ['value.amount % 2 == 0', 13, "operator '%' takes (double, int)"],
    ['value.tags.exists(t, t + 1 > 2)', 22, "operator '+' takes (string, int)"],
    ['value.flag && value.amount', 19, "'&&' takes booleans, found double"],
    ['value.amount ? 1 : 2', 5, "the condition of '? :' must be a boolean, found double"],
    ['value.text.substring()', 10, "method 'substring' takes 1 or 2 arguments, found 0"],
    ['substring(value.text, 1)', 0, "'substring' is a method: write x.substring(...)"],
    ['value.text.contains(1)', 10, 'there is no method contains(int) on string'],
    ['value.text.surface', 10, "cannot select '.surface' on a string"],
    ['value.meta.rank > "3"', 16, "operator '>' takes (double, string)"],
    ['value.again.surface.size() + 1u > 0u', 26, "operator '+' takes (int, uint)"],
    ['value.attrs["x"].size()', 16, 'there is no method size() on double'],
    ['value.kind > 1', 11, "operator '>' takes (string, int)"],
    ['value.raw + "x"', 10, "operator '+' takes (bytes, string)"],
    ['value.tags.map(t, t.size())', 0, 'but gives list(', true],
    ['math.greatest(1, 2)', 4, "unknown function 'math.greatest'"],
    ['value.tags.exists(t)', 10, "'exists' is a macro and needs a variable and a predicate"],
    ['has(value)', 0, "'has' is a macro and needs one field selection"],
  ];
  for (const [source, offset, says, boolean] of errors) {
    it(`reports ${source}${boolean ? ' where a boolean is needed' : ''}`, () => {
      const found = problems(source, boolean);
      assert.ok(found.some(([o, m]) => o === offset && m.includes(says)), `expected [${offset}, ...${says}...], got ${JSON.stringify(found)}`);
    });
  }

  const fine = [
    'value.amount > 1000', 'value.amount + 1 > 2.5', 'int(value.amount) % 2 == 0', 'value.amount == "1000"',
    'value.tags.exists(t, t == "a")', 'value.meta.surface == "home" && has(value.meta.surface)', 'value.kind == "A"',
    'value.attrs.x > 3', '"x" in value.attrs', 'value.amount in [1, 2]', 'size(value.tags) > 2 || value.flag',
    'value.text.split(" ")[0] == "a"', 'strings.quote(value.text) != ""', 'type(value.amount) == double',
    'dyn(value.amount) > 1', 'value.flag ? value.amount > 1 : false', 'value.tags.filter(t, t != "").size() > 0',
    'value.tags.exists_one(t, t == "x")', 'value.raw.size() > 0', 'timestamp > 5 && headers.a == "x"',
    'key + 1 > 2', '{"a": value.amount}.a > 1', 'value.text.matches("^a+$")', 'value.again.rank >= 0',
  ];
  for (const source of fine) {
    it(`accepts ${source}`, () => assert.deepEqual(problems(source, true), []));
  }

  it('keeps values without a schema dynamic: nothing a record could make right is reported', () => {
    for (const source of ['value.amount > "1000"', 'value + 1 > 2', 'value.text.x.y == 1', 'value.a && value.b', 'value', 'value.n % 2 == 0']) {
      assert.deepEqual(expressionProblems(source, undefined, [], { boolean: true }), [], source);
    }
    assert.equal(expressionProblems('value.text.splt(" ")')[0]?.message, "unknown function 'splt' (did you mean 'split'?)");
    assert.equal(expressionProblems('value + 1', undefined, [], { boolean: true }).length, 0);
    assert.equal(expressionProblems('1 + 1', undefined, [], { boolean: true })[0]?.message, 'must be a boolean (true or false), but gives int');
  });

  it('follows named types and namespaces, and does not loop on recursive schemas', () => {
    const recursive = { type: 'record', name: 'Node', fields: [{ name: 'n', type: 'int' }, { name: 'next', type: ['null', 'Node'] }] };
    assert.match(expressionProblems('value.next.next.next.n > "x"', recursive)[0]?.message ?? '', /takes \(double, string\)/);
    assert.deepEqual(expressionProblems('value.next.next.n > 1', recursive), []);
  });

  // The checker's promise: what it reports fails at run time. Random
  // expressions over the schema run on a decoded record; every one that
  // evaluates must pass the checker (and a boolean one the boolean check).
  // `&&`, `||` and `?:` are left out: CEL evaluates only the side it needs,
  // and the checker reports a side that fails whenever it is evaluated.
  it('never reports an expression that evaluates on a record of the schema (3,000 random expressions)', () => {
    const type = avro.Type.forSchema(schema as avro.Schema);
    const value = type.fromBuffer(type.toBuffer({
      amount: 1200, ratio: 0.5, text: 'a b', flag: true, tags: ['a', 'b'], attrs: { x: 4 }, kind: 'A', raw: Buffer.from('r'),
      meta: { surface: 'home', rank: 2 }, again: { surface: 's', rank: 1 },
    }));
    const record = { key: 'k1', value, timestamp: 1000, headers: { a: 'x' } };
    let seed = 42;
    const rand = (n: number): number => { seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648; return seed % n; };
    const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)];
    const leaves = ['value.amount', 'value.ratio', 'value.text', 'value.flag', 'value.tags', 'value.attrs', 'value.attrs.x', 'value.kind',
      'value.raw', 'value.meta', 'value.meta.surface', 'value.meta.rank', 'value', '1', '2.5', '"a"', 'true', 'null', 'timestamp', 'key', '[1, 2]', '{"x": 1}', '1u'];
    const gen = (depth: number): string => {
      if (depth === 0) return pick(leaves);
      const a = gen(depth - 1);
      switch (rand(8)) {
        case 0: return `(${a} ${pick(['+', '-', '*', '/', '%', '<', '>=', '==', '!=', 'in'])} ${gen(depth - 1)})`;
        case 1: return `${pick(['!', '-'])}${a}`;
        case 2: return `${pick(['size', 'int', 'string', 'double', 'dyn'])}(${a})`;
        case 3: return `${a}.${pick(['size()', 'startsWith("a")', 'split(" ")', 'lowerAscii()', 'contains("b")', 'exists(t, t == "a")', 'map(t, t)'])}`;
        case 4: return `${a}[${pick(['0', '"x"', '1'])}]`;
        case 6: return `${a}.${pick(['surface', 'x', 'amount'])}`;
        default: return `(${a} ${pick(['>', '==', '+'])} ${pick(leaves)})`;
      }
    };
    let ran = 0;
    let caught = 0;
    for (let i = 0; i < 3000; i++) {
      const source = gen(1 + rand(2));
      let result: unknown;
      try {
        result = compileExpression(source, { fastPath: false }).evaluate(record);
      } catch {
        if (expressionProblems(source, schema).length > 0) caught++;
        continue;
      }
      ran++;
      assert.deepEqual(expressionProblems(source, schema), [], `${source} evaluates to ${JSON.stringify(result)} but is reported`);
      if (typeof result === 'boolean') assert.deepEqual(expressionProblems(source, schema, [], { boolean: true }), [], `${source} gives a boolean`);
    }
    assert.ok(ran > 400 && caught > 1000, `ran ${ran}, caught ${caught}`);
  });
});
