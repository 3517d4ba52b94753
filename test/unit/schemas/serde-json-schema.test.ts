import { strict as assert } from 'node:assert';
import type { Client } from '@confluentinc/schemaregistry';
import { mockRegistry } from '../../helpers/mock-registry';
import { JsonSchemaSerde } from '../../../schemas/serde-json-schema';
import { DeserializationError, SerializationError } from '../../../schemas/errors';

const schema = {
  $schema: 'http://json-schema.org/draft-07/schema#', title: 'Order', type: 'object',
  properties: { order_id: { type: 'string' }, amount_cents: { type: 'integer', minimum: 0 } },
  required: ['order_id', 'amount_cents'],
};

describe('JsonSchemaSerde (unit, mock:// registry)', () => {
  const registry: Client = mockRegistry('unit-json-schema');
  const serdeFor = (subject: string, own: unknown = schema) =>
    JsonSchemaSerde.create({ registry, subject, topic: 't', isKey: false, schema: own, autoRegister: true });

  it('round-trips a value through the wire format (schema id, then UTF-8 JSON)', async () => {
    const serde = await serdeFor('js-1');
    const bytes = serde.serialize({ order_id: 'o1', amount_cents: 5 })!;
    assert.equal(bytes[0], 0);
    assert.equal(bytes.readInt32BE(1), serde.id);
    assert.deepEqual(JSON.parse(bytes.subarray(5).toString('utf8')), { order_id: 'o1', amount_cents: 5 });
    await serde.prepare([bytes]);
    assert.deepEqual(serde.deserialize(bytes), { order_id: 'o1', amount_cents: 5 });
  });

  it('refuses to write a value that breaks the schema, naming the path and not the value', async () => {
    const serde = await serdeFor('js-2');
    assert.throws(() => serde.serialize({ order_id: 'o1', amount_cents: -7 }),
      (e: Error) => e instanceof SerializationError && /\/amount_cents must be >= 0/.test(e.message) && !e.message.includes('-7'));
  });

  it('checks inputs against their writer schema: a value it rejects is poison', async () => {
    const serde = await serdeFor('js-3');
    const loose = await serdeFor('js-3-loose', { type: 'object' });
    const bad = loose.serialize({ order_id: 3 })!;
    const reframed = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), bad.subarray(5)]);
    reframed.writeInt32BE(serde.id, 1);
    await serde.prepare([reframed]);
    assert.throws(() => serde.deserialize(reframed), /does not match its writer's JSON Schema .*order_id must be string/);
  });

  it('treats bytes that are not JSON, and unknown schema ids, as poison without quoting them', async () => {
    const serde = await serdeFor('js-4');
    const notJson = Buffer.concat([serde.serialize({ order_id: 'o', amount_cents: 1 })!.subarray(0, 5), Buffer.from('{secret')]);
    const unknown = Buffer.from([0, 0, 1, 0, 0, 0x7b, 0x7d]);
    await serde.prepare([notJson, unknown]);
    assert.throws(() => serde.deserialize(notJson), (e: Error) => e instanceof DeserializationError && !e.message.includes('secret'));
    assert.throws(() => serde.deserialize(unknown), /schema id 65536 is unknown/);
  });
});
