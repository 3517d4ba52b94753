// The module, not the package root: the root also loads the client-side encryption (KMS) drivers (see registry-client.ts).
import { PrefixSchemaIdDeserializer, SchemaId, type SerdeType } from '@confluentinc/schemaregistry/dist/serde/serde';
import { DeserializationError } from './errors';
import { messageOf } from './schema-id-resolution';

/** The schema ids of a batch's framed messages that `known` does not know yet (each fetched once, in `prepare`). */
export function unknownSchemaIds(messages: ReadonlyArray<Buffer | null>, known: (id: number) => boolean): Set<number> {
  const missing = new Set<number>();
  for (const bytes of messages) {
    if (bytes === null || bytes.length < 5 || bytes[0] !== 0) continue;
    const id = bytes.readInt32BE(1);
    if (!known(id)) missing.add(id);
  }
  return missing;
}

/** A framed message's writer schema id (and Protobuf message indexes) through the client's SchemaId; poison otherwise. */
export function readWriterId(schemaType: 'PROTOBUF' | 'JSON', topic: string, serdeType: SerdeType, bytes: Buffer): { schemaId: SchemaId; offset: number } {
  const schemaId = new SchemaId(schemaType);
  try {
    return { schemaId, offset: PrefixSchemaIdDeserializer(topic, serdeType, bytes, schemaId) };
  } catch (cause) {
    throw new DeserializationError(`not a Confluent-framed ${schemaType === 'JSON' ? 'JSON' : 'Protobuf'} message: ${messageOf(cause)}`, { cause });
  }
}
