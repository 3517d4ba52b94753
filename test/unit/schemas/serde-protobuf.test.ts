import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { Client } from '@confluentinc/schemaregistry';
import { mockRegistry } from '../../helpers/mock-registry';
import { ProtobufSerde } from '../../../schemas/serde-protobuf';
import { compileProtoFile, type ProtoSchema } from '../../../schemas/proto-schema-file';
import { DeserializationError, SerializationError } from '../../../schemas/errors';

const protoFile = path.resolve(__dirname, '../../../../test/fixtures/topologies/schemas/order.proto');

describe('ProtobufSerde (unit, mock:// registry)', () => {
  const registry: Client = mockRegistry('unit-protobuf');
  let schema: ProtoSchema;
  before(() => {
    const compiled = compileProtoFile(protoFile);
    if ('error' in compiled) throw new Error(compiled.error);
    schema = compiled;
  });
  const serdeFor = (subject: string, messageType = 'shop.v1.Order') =>
    ProtobufSerde.create({ registry, subject, topic: 't', isKey: false, schema, messageType, autoRegister: true });

  it('round-trips a record as the Protobuf JSON mapping with the .proto field names', async () => {
    const serde = await serdeFor('pb-1');
    const bytes = serde.serialize({ order_id: 'o1', amount_cents: 1234, status: 'STATUS_PAID', lines: [{ sku: 's', qty: 2 }] })!;
    assert.equal(bytes[0], 0);
    assert.equal(bytes.readInt32BE(1), serde.id);
    assert.equal(bytes[5], 0, 'the first top-level message has the one-byte index list [0]');
    await serde.prepare([bytes]);
    assert.deepEqual(serde.deserialize(bytes), { order_id: 'o1', amount_cents: '1234', status: 'STATUS_PAID', lines: [{ sku: 's', qty: 2 }] });
  });

  it('writes the message indexes of a nested message type', async () => {
    const serde = await serdeFor('pb-2', 'shop.v1.Order.Line');
    const bytes = serde.serialize({ sku: 'x', qty: 1 })!;
    assert.deepEqual([...bytes.subarray(5, 8)], [4, 0, 0], 'count 2 then indexes 0, 0 as zig-zag varints');
    await serde.prepare([bytes]);
    assert.deepEqual(serde.deserialize(bytes), { sku: 'x', qty: 1 });
  });

  it('refuses a message written as another type of the same schema', async () => {
    const order = await serdeFor('pb-3');
    const line = await ProtobufSerde.create({ registry, subject: 'pb-3', topic: 't', isKey: false, schema, messageType: 'shop.v1.Order.Line', autoRegister: true });
    const bytes = line.serialize({ sku: 'x', qty: 1 })!;
    await order.prepare([bytes]);
    assert.throws(() => order.deserialize(bytes), /written as shop\.v1\.Order\.Line .* not shop\.v1\.Order/);
  });

  it('names the subject when a value does not fit the message', async () => {
    const serde = await serdeFor('pb-4');
    assert.throws(() => serde.serialize({ order_id: 'o', amount_cents: 'many' }), (e: Error) => e instanceof SerializationError && /pb-4/.test(e.message));
    assert.throws(() => serde.serialize({ no_such_field: 1 }), SerializationError);
  });

  it('treats garbage, truncated payloads and unknown schema ids as poison', async () => {
    const serde = await serdeFor('pb-5');
    const bytes = serde.serialize({ order_id: 'abcdef', amount_cents: 1 })!;
    const truncated = bytes.subarray(0, bytes.length - 3);
    const unknown = Buffer.concat([Buffer.from([0, 0, 0x0f, 0x0f, 0x0f, 0]), bytes.subarray(6)]);
    const garbage = Buffer.from('plain text');
    await serde.prepare([truncated, unknown, garbage]);
    assert.throws(() => serde.deserialize(truncated), DeserializationError);
    assert.throws(() => serde.deserialize(unknown), /schema id 986895 is unknown/);
    assert.throws(() => serde.deserialize(garbage), /not a Confluent-framed Protobuf message/);
  });

  it('refuses a message type the file does not declare', async () => {
    await assert.rejects(serdeFor('pb-6', 'shop.v1.Nope'), /message type shop\.v1\.Nope is not declared in order\.proto/);
  });
});
