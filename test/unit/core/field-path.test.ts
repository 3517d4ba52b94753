import { strict as assert } from 'node:assert';
import { compileFieldPath } from '../../../core/field-path';

describe('compileFieldPath (core/field-path.ts, the one field-path reader)', () => {
  it('reads a dotted path and reads undefined through a missing, null or undefined step', () => {
    const read = compileFieldPath('meta.ts');
    assert.equal(read({ meta: { ts: 5 } }), 5);
    assert.equal(read({ meta: null }), undefined);
    assert.equal(read({}), undefined);
    assert.equal(read(undefined), undefined);
  });

  it('maps a `name[]` step over the list it names, and a bare `[]` step over the value itself', () => {
    const candidates = { candidates: [{ embedding: [1, 2] }, { embedding: [3, 4] }, {}] };
    assert.deepEqual(compileFieldPath('candidates[].embedding')(candidates), [[1, 2], [3, 4], undefined]);
    assert.deepEqual(compileFieldPath('lookup.pins[]')({ lookup: { pins: ['a', 'b'] } }), ['a', 'b']);
    assert.deepEqual(compileFieldPath('[].id')([{ id: 'x' }, { id: 'y' }]), ['x', 'y']);
  });

  it('reads undefined when a `[]` step meets something that is not a list', () => {
    assert.equal(compileFieldPath('candidates[].embedding')({ candidates: { embedding: [1] } }), undefined);
  });

  it('skips empty steps', () => {
    assert.equal(compileFieldPath('value.')({ value: 7 }), 7);
    assert.equal(compileFieldPath('a..b')({ a: { b: 1 } }), 1);
  });
});
