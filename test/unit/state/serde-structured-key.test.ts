import { strict as assert } from 'node:assert';
import { structuredKeySerde } from '../../../runtime/state/serde-structured-key';

const enc = (v: unknown) => structuredKeySerde.serialize(v);

describe('structuredKeySerde', () => {
  it('round-trips every supported kind', () => {
    const values = [null, true, false, 0, -1.5, 42, 1e300, -1e-300, '', 'a\u0000b', 'ünïcödé 🙂', Buffer.from([0, 1, 255]),
      [], ['u1', 3, [null]], { b: 2, a: 'x' }, { nested: { deep: [1, 'two'] } }];
    for (const v of values) assert.deepEqual(structuredKeySerde.deserialize(enc(v)), v);
  });

  it('orders numbers numerically, negatives included', () => {
    const numbers = [-1e9, -2, -1.5, -0.001, 0, 0.001, 1, 2, 10, 100, 1e9];
    const shuffled = [...numbers].reverse();
    const sorted = shuffled.map(enc).sort(Buffer.compare).map((b) => structuredKeySerde.deserialize(b));
    assert.deepEqual(sorted, numbers);
  });

  it('orders strings by code point and a prefix before its extensions', () => {
    const strings = ['', 'a', 'a\u0000', 'a\u0000b', 'a\u0001', 'a\u0002', 'ab', 'b', 'z', 'é', '🙂'];
    const sorted = [...strings].reverse().map(enc).sort(Buffer.compare).map((b) => structuredKeySerde.deserialize(b));
    assert.deepEqual(sorted, strings);
  });

  it('orders arrays element by element', () => {
    const arrays = [['u1'], ['u1', 2], ['u1', 10], ['u1', 'a'], ['u2', 0]];
    const sorted = [...arrays].reverse().map(enc).sort(Buffer.compare).map((b) => structuredKeySerde.deserialize(b));
    assert.deepEqual(sorted, arrays);
  });

  it('is prefix-free: no key encoding starts with another key encoding', () => {
    const keys = ['a', 'ab', 'a\u0000', 'a\u0001', 'a\u0001\u0000', ['a'], ['a', 'b'], 1, Buffer.from('a')].map(enc);
    for (const a of keys) for (const b of keys) {
      if (a !== b) assert.ok(!(b.length > a.length && b.subarray(0, a.length).equals(a)), `${a.toString('hex')} prefixes ${b.toString('hex')}`);
    }
  });

  it('gives prefix bytes that match string extensions and array heads', () => {
    const p = structuredKeySerde.prefix!('user:');
    assert.ok(enc('user:42').subarray(0, p.length).equals(p));
    assert.ok(!enc('use').subarray(0, p.length).equals(p));
    const q = structuredKeySerde.prefix!(['u1']);
    assert.ok(enc(['u1', 7]).subarray(0, q.length).equals(q));
    assert.ok(!enc(['u10', 7]).subarray(0, q.length).equals(q));
  });

  it('rejects NaN, undefined and functions', () => {
    assert.throws(() => enc(NaN), /NaN/);
    assert.throws(() => enc(undefined), /undefined/);
    assert.throws(() => enc(() => 1), /function/);
  });
});
