import * as assert from 'node:assert/strict';
import { inferenceMethods } from '../../../runtime/scoring/internal/kserve-proto';
import { inferRequestParts } from '../../../runtime/scoring/internal/kserve-infer-request-parts';

describe('inferRequestParts (ModelInferRequest with tensors not copied)', () => {
  const method = inferenceMethods().ModelInfer;
  const message = {
    model_name: 'home-feed-ranker', model_version: '1', id: 'r-7',
    inputs: [{ name: 'user', datatype: 'FP32', shape: [1, 2] }, { name: 'item_user', datatype: 'INT64', shape: [3] }, { name: 'empty', datatype: 'FP32', shape: [0] }],
    outputs: [{ name: 'save' }],
  };
  const raw = [Buffer.from(Float32Array.of(1.5, -2).buffer), Buffer.from(BigInt64Array.of(0n, 1n, 300n).buffer), Buffer.alloc(0)];

  it('joins to the bytes the proto-loader serializer gives for the whole message', () => {
    const joined = Buffer.concat(inferRequestParts(method, message, raw));
    assert.ok(joined.equals(method.requestSerialize({ ...message, raw_input_contents: raw })));
  });

  it('hands the tensors over as they are, without copying them', () => {
    const parts = inferRequestParts(method, message, raw);
    raw.forEach((bytes) => assert.ok(parts.includes(bytes)));
  });

  it('decodes, with a tensor over 127 bytes (a two-byte length), to the same request', () => {
    const big = [Buffer.alloc(1000, 7)];
    const one = { ...message, inputs: [{ name: 'user', datatype: 'FP32', shape: [250] }] };
    const decoded = method.requestDeserialize(Buffer.concat(inferRequestParts(method, one, big))) as { raw_input_contents: Buffer[]; inputs: unknown[] };
    assert.equal(decoded.raw_input_contents.length, 1);
    assert.ok(decoded.raw_input_contents[0].equals(big[0]));
    assert.deepEqual(decoded.inputs, (method.requestDeserialize(method.requestSerialize(one)) as { inputs: unknown[] }).inputs);
  });
});
