import type { SerdeConfig } from './serde-config';

/**
 * Subject naming strategies, as Confluent serializers define them:
 * - `topic` (default): `<topic>-key` / `<topic>-value`
 * - `record`: the schema's record name
 * - `topic-record`: `<topic>-<record name>`
 */
export type SubjectNameStrategy = 'topic' | 'record' | 'topic-record';

/**
 * The subject of a key or value. `recordName` is the schema's record name
 * ({@link recordNameOf}); the record strategies throw without one.
 */
export function subjectName(strategy: SubjectNameStrategy, topic: string, isKey: boolean, recordName: string | undefined): string {
  if (strategy === 'topic') return `${topic}-${isKey ? 'key' : 'value'}`;
  if (!recordName) throw new Error('the record and topic-record subject strategies need a named schema');
  return strategy === 'record' ? recordName : `${topic}-${recordName}`;
}

/**
 * The record name the record strategies use, as Confluent's serializers
 * take it: an Avro schema's full name, a Protobuf message's full name, a
 * JSON Schema's `title`; undefined where there is none.
 */
export function recordNameOf(config: SerdeConfig): string | undefined {
  switch (config.format) {
    case 'avro': return avroFullName(config.schema);
    case 'protobuf': return config.messageType;
    case 'json-schema': {
      const title = (config.schema as { title?: unknown } | null | undefined)?.title;
      return typeof title === 'string' && title !== '' ? title : undefined;
    }
    default: return undefined;
  }
}

function avroFullName(schema: unknown): string | undefined {
  const s = schema as { name?: string; namespace?: string } | null | undefined;
  if (!s || typeof s.name !== 'string') return undefined;
  return s.name.includes('.') || !s.namespace ? s.name : `${s.namespace}.${s.name}`;
}
