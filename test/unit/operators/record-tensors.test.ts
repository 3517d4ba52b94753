import * as assert from 'node:assert/strict';
import type { ModelManifest } from '../../../core/scoring/model-manifest';
import { buildRequestTensors } from '../../../operators/record-tensors';

const manifest: ModelManifest = {
  name: 'm', version: '1', file: 'm.onnx',
  inputs: [
    { name: 'user', dtype: 'float32', dims: ['users', 2] },
    { name: 'rows', dtype: 'float32', dims: ['candidates', 2, 2] },
  ],
  outputs: [{ name: 'p', dtype: 'float32', dims: ['candidates'] }],
  batching: { rowDim: 'candidates', groupDim: 'users', groupIndex: 'group' },
  heads: ['p'],
};

describe('record tensors', () => {
  it('flattens nested lists, booleans and typed arrays in order into rows', () => {
    const t = buildRequestTensors(manifest, {
      user: [0.5, true],
      rows: [[[1, 2], new Float64Array([3, 4])], [[5, false], [7, 8]], [[9, 10], [11, 12]]],
    });
    assert.deepEqual(t.user.dims, [1, 2]);
    assert.deepEqual(Array.from(t.user.data as Float32Array), [0.5, 1]);
    assert.deepEqual(t.rows.dims, [3, 2, 2]);
    assert.deepEqual(Array.from(t.rows.data as Float32Array), [1, 2, 3, 4, 5, 0, 7, 8, 9, 10, 11, 12]);
    assert.deepEqual(t.group.dims, [3]);
  });

  it('flattens a list whatever its first element: numbers then lists, lists then numbers, typed arrays between', () => {
    const t = buildRequestTensors(manifest, {
      user: [[0.5], 2],
      rows: [[1, [2, 3], 4], [[5, 6], 7, new Float32Array([8])], [9, 10, [11, [12]]]],
    });
    assert.deepEqual(Array.from(t.user.data as Float32Array), [0.5, 2]);
    assert.deepEqual(Array.from(t.rows.data as Float32Array), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    assert.throws(() => buildRequestTensors(manifest, { user: [1, 2], rows: [[null, 1, 2, 3]] }), /input 'rows' holds a missing value/);
    assert.throws(() => buildRequestTensors(manifest, { user: [1, 2], rows: [[[1, 2, 3], 'x']] }), /input 'rows' holds string/);
  });

  it('builds a request far larger than the last one, and the next small one exactly (no values left over)', () => {
    const big = Array.from({ length: 5_000 }, (_, i) => [[i, i + 0.5], [-i, 1]]);
    const t = buildRequestTensors(manifest, { user: [1, 2], rows: big });
    assert.deepEqual(t.rows.dims, [5_000, 2, 2]);
    assert.deepEqual(Array.from((t.rows.data as Float32Array).subarray(4 * 4_999)), [4_999, 4_999.5, -4_999, 1]);
    const small = buildRequestTensors(manifest, { user: [3, 4], rows: [[[1, 2], [3, 4]]] });
    assert.deepEqual(Array.from(small.rows.data as Float32Array), [1, 2, 3, 4]);
    assert.deepEqual(Array.from(small.user.data as Float32Array), [3, 4]);
  });

  it('names the input holding something other than numbers, at any depth, and a row of the wrong size', () => {
    assert.throws(() => buildRequestTensors(manifest, { user: [1, 2], rows: [[[1, 2], [3, 'x']]] }), /input 'rows' holds string, expected numbers/);
    assert.throws(() => buildRequestTensors(manifest, { user: [1, 2], rows: [[[1, 2], [3, null]]] }), /input 'rows' holds a missing value/);
    assert.throws(() => buildRequestTensors(manifest, { user: [1, 2], rows: [[1, 2, 3]] }), /input 'rows' has 3 values, not a whole number of rows of 4/);
  });

  it('writes int32, int64 and bool inputs from numbers, bigints, booleans and typed arrays', () => {
    const typed: ModelManifest = {
      ...manifest,
      inputs: [
        { name: 'ids', dtype: 'int64', dims: ['candidates', 2] },
        { name: 'counts', dtype: 'int32', dims: ['candidates', 2] },
        { name: 'flags', dtype: 'bool', dims: ['candidates', 2] },
      ],
    };
    const t = buildRequestTensors(typed, {
      ids: [[1, 2n], new BigInt64Array([3n, -4n]), [5.9, -6.9]],
      counts: [[1.7, -2.2], [true, 4], new Int16Array([5, 6])],
      flags: [[0, 2], [true, false], [0.5, 0]],
    });
    assert.deepEqual(Array.from(t.ids.data as BigInt64Array), [1n, 2n, 3n, -4n, 5n, -6n]);
    assert.deepEqual(Array.from(t.counts.data as Int32Array), [1, -2, 1, 4, 5, 6]);
    assert.deepEqual(Array.from(t.flags.data as Uint8Array), [0, 1, 1, 0, 1, 0]);
    assert.deepEqual(t.ids.dims, [3, 2]);
  });
});
