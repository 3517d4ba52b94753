import { strict as assert } from 'node:assert';
import { SchemaRegistryClient, type Client } from '@confluentinc/schemaregistry';
import { AvroSerde } from '../../../schemas/serde-avro';
import { jsonSerde } from '../../../schemas/serde-json';
import { stringSerde } from '../../../schemas/serde-string';
import { DeserializationError, SerializationError } from '../../../schemas/errors';
import { frame } from '../../../schemas/wire-format';

const schema = { type: 'record' as const, name: 'E', fields: [{ name: 'id', type: 'long' }, { name: 'tag', type: 'string' }] };

describe('serdes', () => {
  it('json: round-trips values and reports invalid JSON as poison', () => {
    assert.deepEqual(jsonSerde.deserialize(jsonSerde.serialize({ a: [1, 'x'] })), { a: [1, 'x'] });
    assert.equal(jsonSerde.deserialize(null), null);
    assert.throws(() => jsonSerde.deserialize(Buffer.from('{"a":')), DeserializationError);
  });

  it('string: round-trips UTF-8 and tombstones', () => {
    assert.equal(stringSerde.deserialize(stringSerde.serialize('héllo')), 'héllo');
    assert.equal(stringSerde.serialize(null), null);
  });

  describe('avro (unit, mock:// registry)', () => {
    const registry: Client = SchemaRegistryClient.newClient({ baseURLs: ['mock://unit'] });
    // The mock client has no compatibility endpoint: register up front, as a schema owner would.
    const serdeFor = async (subject: string) => {
      await registry.register(subject, { schemaType: 'AVRO', schema: JSON.stringify(schema) }, false);
      return AvroSerde.create({ registry, subject, schema });
    };

    it('round-trips a record through the wire format', async () => {
      const serde = await serdeFor('unit-1');
      const bytes = serde.serialize({ id: 5, tag: 'a' })!;
      assert.equal(bytes[0], 0);
      assert.equal(bytes.readUInt32BE(1), serde.id);
      await serde.prepare([bytes]);
      assert.deepEqual({ ...(serde.deserialize(bytes) as object) }, { id: 5, tag: 'a' });
    });

    it('names the offending field when a value does not fit the schema', async () => {
      const serde = await serdeFor('unit-2');
      assert.throws(() => serde.serialize({ id: 'five', tag: 'a' }), (e: Error) => e instanceof SerializationError && /id/.test(e.message));
    });

    it('treats truncated payloads and unknown schema ids as poison', async () => {
      const serde = await serdeFor('unit-3');
      const bytes = serde.serialize({ id: 123456789, tag: 'abcdef' })!;
      const truncated = bytes.subarray(0, bytes.length - 3);
      await serde.prepare([truncated]);
      assert.throws(() => serde.deserialize(truncated), DeserializationError);
      const unknown = frame(987654, Buffer.from([2, 2, 97]));
      await serde.prepare([unknown]);
      assert.throws(() => serde.deserialize(unknown), /schema id 987654 is unknown/);
    });
  });
});
