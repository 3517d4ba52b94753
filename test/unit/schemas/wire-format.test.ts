import { strict as assert } from 'node:assert';
import { frame, schemaIdOf } from '../../../schemas/wire-format';
import { DeserializationError } from '../../../schemas/errors';

describe('Confluent wire format', () => {
  it('frames a payload behind magic byte 0 and a big-endian schema id', () => {
    const framed = frame(0x01020304, Buffer.from([9, 8]));
    assert.deepEqual([...framed], [0, 1, 2, 3, 4, 9, 8]);
    assert.equal(schemaIdOf(framed), 0x01020304);
  });

  it('rejects a wrong magic byte and a too-short message as poison', () => {
    assert.throws(() => schemaIdOf(Buffer.from([1, 0, 0, 0, 1, 5])), (e: Error) => e instanceof DeserializationError && /magic byte 1/.test(e.message));
    assert.throws(() => schemaIdOf(Buffer.from([0, 0, 1])), (e: Error) => e instanceof DeserializationError && /too short/.test(e.message));
  });
});
