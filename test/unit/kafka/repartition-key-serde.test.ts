import { strict as assert } from 'node:assert';
import * as v8 from 'node:v8';
import { repartitionKeySerde, LegacyRepartitionFormatError } from '../../../runtime/kafka/repartition-key-serde';
import { stringSerde } from '../../../schemas/serde-string';
import { jsonSerde } from '../../../schemas/serde-json';
import type { Serde } from '../../../schemas/serde';

describe('repartitionKeySerde', () => {
  it('writes a key with the same bytes as the co-partitioned user topic holds (so murmur2 picks the same partition)', () => {
    const serde = repartitionKeySerde(stringSerde as Serde<unknown>, 'app-j-repartition', 'app');
    assert.deepEqual(serde.serialize('c3'), Buffer.from('c3', 'utf8'));
    assert.equal(serde.deserialize(Buffer.from('c3')), 'c3');
    assert.deepEqual(repartitionKeySerde(jsonSerde, 't', 'app').serialize({ ip: '1.2.3.4' }), Buffer.from('{"ip":"1.2.3.4"}'));
  });

  it('refuses structured-clone keys of an older Tributary with a message saying how to reset', () => {
    for (const format of [stringSerde as Serde<unknown>, jsonSerde]) {
      const serde = repartitionKeySerde(format, 'app-j-repartition', 'app');
      assert.throws(() => serde.deserialize(v8.serialize('c3')), (e: unknown) => e instanceof LegacyRepartitionFormatError && /delete the topic/.test(e.message) && !e.retriable);
    }
  });
});
