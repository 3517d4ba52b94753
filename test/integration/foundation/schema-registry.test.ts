/**
 * Proves @confluentinc/schemaregistry against the local Apicurio Registry's
 * Confluent-compatible API, and the first smoke of the whole stack: Avro
 * records through the registry to a 3-partition topic and back in a group.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import type { Schema } from 'avsc';
import { createRegistryClient } from '../../../schemas/registry-client';
import { AvroSerde } from '../../../schemas/serde-avro';
import { consumeMessages, createTopics, randomTopic, REGISTRY_URL, requireKafka, requireRegistry, testKafka } from '../../helpers/services';

const clickV1: Schema & { fields: object[] } = {
  type: 'record', name: 'Click', namespace: 'dev.tributary.test',
  fields: [
    { name: 'userId', type: 'string' },
    { name: 'pinId', type: 'long' },
    { name: 'dwellMs', type: 'int' },
  ],
};
const clickV2: Schema = {
  ...clickV1,
  fields: [...clickV1.fields, { name: 'surface', type: 'string', default: 'home' }],
};
const clickIncompatible: Schema = { ...clickV1, fields: [{ name: 'userId', type: 'long' }] };

describe('schema registry (Apicurio, Confluent-compatible API)', () => {
  const registry = createRegistryClient({ url: REGISTRY_URL });

  before(async () => {
    await requireRegistry();
  });

  it('registers a schema, fetches it by id, looks it up and checks compatibility', async () => {
    const subject = `s-${randomUUID()}`;
    const id = await registry.register(subject, { schemaType: 'AVRO', schema: JSON.stringify(clickV1) }, false);
    const fetched = await registry.getBySubjectAndId(subject, id);
    assert.deepEqual(JSON.parse(fetched.schema), clickV1);
    assert.equal(await registry.getId(subject, { schemaType: 'AVRO', schema: JSON.stringify(clickV1) }, false), id);
    const latest = await registry.getLatestSchemaMetadata(subject);
    assert.equal(latest.id, id);
    assert.equal(await registry.testSubjectCompatibility(subject, { schemaType: 'AVRO', schema: JSON.stringify(clickV2) }), true);
    assert.equal(await registry.testSubjectCompatibility(subject, { schemaType: 'AVRO', schema: JSON.stringify(clickIncompatible) }), false);
  });

  it('refuses to start a serde whose schema is incompatible with the subject, naming the subject', async () => {
    const subject = `s-${randomUUID()}`;
    await AvroSerde.create({ registry, subject, schema: clickV1, autoRegister: true });
    await assert.rejects(
      AvroSerde.create({ registry, subject, schema: clickIncompatible, autoRegister: true }),
      (err: Error) => err.message.includes('incompatible') && err.message.includes(subject),
    );
  });

  it('refuses an unregistered schema when auto-registration is off', async () => {
    const subject = `s-${randomUUID()}`;
    await assert.rejects(
      AvroSerde.create({ registry, subject, schema: clickV1, autoRegister: false }),
      /not registered under subject/,
    );
  });

  it('reads records written with an older compatible schema version', async () => {
    const subject = `s-${randomUUID()}`;
    const writerV1 = await AvroSerde.create({ registry, subject, schema: clickV1, autoRegister: true });
    const readerV2 = await AvroSerde.create({ registry, subject, schema: clickV2, autoRegister: true });
    const bytes = writerV1.serialize({ userId: 'u1', pinId: 7, dwellMs: 120 })!;
    await readerV2.prepare([bytes]);
    assert.deepEqual({ ...(readerV2.deserialize(bytes) as object) }, { userId: 'u1', pinId: 7, dwellMs: 120, surface: 'home' });
  });

  it('smoke: Avro records through the registry to a 3-partition topic come back decoded in a consumer group', async () => {
    await requireKafka();
    const kafka = testKafka();
    const topic = randomTopic('smoke');
    await createTopics(kafka, [{ topic, partitions: 3 }]);
    const serde = await AvroSerde.create({ registry, subject: `${topic}-value`, schema: clickV1, autoRegister: true });

    const sent = Array.from({ length: 500 }, (_, i) => ({ userId: `u${i % 37}`, pinId: i, dwellMs: i * 3 }));
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic, messages: sent.map((v) => ({ key: v.userId, value: serde.serialize(v) })) });
    await producer.disconnect();

    const received = await consumeMessages(kafka, topic, sent.length);
    const reader = await AvroSerde.create({ registry, subject: `${topic}-value`, schema: clickV1 });
    await reader.prepare(received.map((r) => r.message.value));
    const decoded = received.map((r) => ({ ...(reader.deserialize(r.message.value) as object) }) as { pinId: number });
    assert.equal(decoded.length, sent.length);
    assert.deepEqual(new Set(received.map((r) => r.partition)), new Set([0, 1, 2]));
    assert.deepEqual(decoded.sort((a, b) => a.pinId - b.pinId), sent);
  });
});
